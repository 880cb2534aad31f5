// The wrap path and its evidence: what the WrapKeyMaterial Lambda and an on-premises worker do with
// a token. The master copy is wrapped in-token under the KMS wrapping public key (C_WrapKey; the
// plaintext never leaves the token), after byok's own refusals (NSS's C_WrapKey ignores
// CKA_EXTRACTABLE=false). The evidence is public: a key check value, an HMAC of a challenge, or the
// public key. Reads with session.ts (login, finding the key) and templates.ts (key-type tables).
import { createPublicKey, type KeyObject, randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import type { TokenCapabilities } from '../capabilities.ts';
import {
  HsmError,
  HsmInvalidWrappingKeyError,
  HsmKeyNotExtractableError,
  HsmKeyNotSensitiveError,
  HsmKeyTypeMismatchError,
  HsmMechanismNotSupportedError,
  type Pkcs11ReturnCode,
  WrappingAlgorithmUnavailableError,
} from '../errors.ts';
import {
  type Evidence,
  type HsmKeyInfo,
  type HsmKeyType,
  isAsymmetric,
  keyFamily,
  type WrapKeyInput,
  type WrappingAlgorithm,
} from '../port.ts';
import { b64u, describeNodeKey, fromB64u, uncompressedPoint } from './encoding.ts';
import type { Handle } from './module.ts';
import type { FoundKey, TokenSession } from './session.ts';
import { CURVES, HMAC_LENGTHS } from './templates.ts';

const {
  CKA_CLASS,
  CKA_KEY_TYPE,
  CKA_LABEL,
  CKA_ID,
  CKA_TOKEN,
  CKA_PRIVATE,
  CKA_SENSITIVE,
  CKA_EXTRACTABLE,
  CKA_VALUE_LEN,
  CKA_ENCRYPT,
  CKA_DECRYPT,
  CKA_WRAP,
  CKA_UNWRAP,
  CKA_SIGN,
  CKA_VERIFY,
  CKA_DERIVE,
  CKA_MODULUS,
  CKA_PUBLIC_EXPONENT,
  CKA_EC_POINT,
  CKO_SECRET_KEY,
  CKO_PUBLIC_KEY,
  CKK_AES,
  CKK_RSA,
  CKM_AES_KEY_GEN,
  CKM_RSA_PKCS_OAEP,
  CKM_SHA_1,
  CKM_SHA256,
  CKG_MGF1_SHA1,
  CKG_MGF1_SHA256,
  CK_PARAMS_RSA_OAEP,
  CKM_AES_ECB,
  CKM_SHA224_HMAC,
  CKM_SHA256_HMAC,
  CKM_SHA384_HMAC,
  CKM_SHA512_HMAC,
} = pkcs11js;

/** CKZ_DATA_SPECIFIED: NSS rejects OAEP parameters without it; pkcs11js does not export it. */
const CKZ_DATA_SPECIFIED = 1;

type HmacMacAlgorithm = 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512';
const HMAC_MECHANISMS: Record<string, { mechanism: number; macAlgorithm: HmacMacAlgorithm }> = {
  HMAC_224: { mechanism: CKM_SHA224_HMAC, macAlgorithm: 'HMAC_SHA_224' },
  HMAC_256: { mechanism: CKM_SHA256_HMAC, macAlgorithm: 'HMAC_SHA_256' },
  HMAC_384: { mechanism: CKM_SHA384_HMAC, macAlgorithm: 'HMAC_SHA_384' },
  HMAC_512: { mechanism: CKM_SHA512_HMAC, macAlgorithm: 'HMAC_SHA_512' },
};

/** The wrapping algorithms this token can produce for a key of this type (at its usual length). */
export async function tokenWrappingAlgorithms(
  token: TokenSession,
  keyType: HsmKeyType,
): Promise<WrappingAlgorithm[]> {
  const capabilities = await token.tokenCapabilities();
  return wrappingAlgorithmsFor(capabilities, keyType, defaultLength(keyType)).algorithms;
}

/** C_WrapKey of the key with this label under the KMS wrapping public key, inside the token. */
export async function wrapKeyInToken(
  token: TokenSession,
  input: WrapKeyInput,
): Promise<{ wrappedKeyMaterial: Uint8Array }> {
  token.assertOpen();
  const key = token.findKey(input.label);
  if (input.expectedKeyType !== undefined && input.expectedKeyType !== key.info.type) {
    throw new HsmKeyTypeMismatchError(
      `key "${input.label}" in token "${token.tokenLabel}" is ${key.info.type}, but the KMS key needs ${input.expectedKeyType}`,
      input.label,
      { hint: 'Point the KMS key at an HSM key of the matching type (tag byok:hsm-key-label).' },
    );
  }
  assertWrappable(key.info);
  const capabilities = await token.tokenCapabilities();
  const { algorithms, reasons, codes } = wrappingAlgorithmsFor(
    capabilities,
    key.info.type,
    key.info.valueLength,
  );
  if (!algorithms.includes(input.algorithm)) {
    const why = reasons[input.algorithm] ?? 'the token cannot produce it';
    throw new WrappingAlgorithmUnavailableError(
      `token "${token.tokenLabel}" cannot wrap ${key.info.type} key "${input.label}" with ${input.algorithm}: ${why}`,
      input.algorithm,
      algorithms,
      {
        returnCode: codes[input.algorithm],
        hint:
          algorithms.length > 0
            ? `This token can produce: ${algorithms.join(', ')}.`
            : 'This token can produce no KMS wrapping algorithm for this key; use a token that wraps with exact RFC 5649 (e.g. NSS).',
      },
    );
  }
  const wrappingKey = parseWrappingPublicKey(input.wrappingPublicKey);
  const oaep = oaepMechanism(input.algorithm);
  const { pkcs11 } = token;
  let publicHandle: Handle | undefined;
  try {
    // The KMS wrapping public key as a session object that can only wrap and encrypt.
    publicHandle = pkcs11.C_CreateObject(token.handle, [
      { type: CKA_CLASS, value: CKO_PUBLIC_KEY },
      { type: CKA_KEY_TYPE, value: CKK_RSA },
      { type: CKA_TOKEN, value: false },
      { type: CKA_WRAP, value: true },
      { type: CKA_ENCRYPT, value: true },
      { type: CKA_VERIFY, value: false },
      { type: CKA_MODULUS, value: wrappingKey.modulus },
      { type: CKA_PUBLIC_EXPONENT, value: wrappingKey.exponent },
    ]);
    if (!input.algorithm.startsWith('RSA_AES_KEY_WRAP')) {
      const wrapped = pkcs11.C_WrapKey(
        token.handle,
        oaep,
        publicHandle,
        key.handle,
        Buffer.alloc(wrappingKey.modulusBytes),
      );
      return { wrappedKeyMaterial: new Uint8Array(wrapped) };
    }
    const kwp = capabilities.kwp;
    if (!kwp) throw new HsmMechanismNotSupportedError('RFC 5649 AES key wrap with padding', token.tokenLabel);
    return { wrappedKeyMaterial: twoWrap(token, oaep, publicHandle, key.handle, kwp.mechanism) };
  } catch (error) {
    if (error instanceof HsmError) throw error;
    throw token.mapError(error, `wrapping key "${input.label}" with ${input.algorithm}`, {
      label: input.label,
      algorithm: input.algorithm,
    });
  } finally {
    if (publicHandle) token.destroyQuietly(publicHandle);
  }
}

/**
 * RSA_AES_KEY_WRAP built from two in-token wraps (pkcs11js cannot pass CK_RSA_AES_KEY_WRAP_PARAMS):
 * an ephemeral AES-256 session key wrapped with OAEP, then the target wrapped with RFC 5649
 * under it. The ephemeral key is sensitive and destroyed before returning.
 */
function twoWrap(
  token: TokenSession,
  oaep: pkcs11js.Mechanism,
  publicHandle: Handle,
  target: Handle,
  kwpMechanism: number,
): Uint8Array {
  const { pkcs11 } = token;
  const ephemeral = pkcs11.C_GenerateKey(token.handle, { mechanism: CKM_AES_KEY_GEN }, [
    { type: CKA_CLASS, value: CKO_SECRET_KEY },
    { type: CKA_KEY_TYPE, value: CKK_AES },
    { type: CKA_VALUE_LEN, value: 32 },
    { type: CKA_TOKEN, value: false },
    { type: CKA_PRIVATE, value: true },
    { type: CKA_SENSITIVE, value: true },
    { type: CKA_EXTRACTABLE, value: true },
    { type: CKA_WRAP, value: true },
    { type: CKA_UNWRAP, value: false },
    { type: CKA_ENCRYPT, value: false },
    { type: CKA_DECRYPT, value: false },
    { type: CKA_SIGN, value: false },
    { type: CKA_DERIVE, value: false },
  ]);
  try {
    const wrappedEphemeral = pkcs11.C_WrapKey(
      token.handle,
      oaep,
      publicHandle,
      ephemeral,
      Buffer.alloc(1024),
    );
    const wrappedTarget = pkcs11.C_WrapKey(
      token.handle,
      { mechanism: kwpMechanism },
      ephemeral,
      target,
      Buffer.alloc(16 * 1024),
    );
    return new Uint8Array(Buffer.concat([wrappedEphemeral, wrappedTarget]));
  } finally {
    token.destroyQuietly(ephemeral);
  }
}

/** KCV (AES), HMAC of the challenge (HMAC; random when absent), public key (asymmetric). */
export async function evidenceFromToken(
  token: TokenSession,
  label: string,
  challenge?: Uint8Array,
): Promise<Evidence> {
  token.assertOpen();
  const key = token.findKey(label);
  const family = keyFamily(key.info.type);
  const { pkcs11 } = token;
  try {
    if (family === 'SYMMETRIC') {
      pkcs11.C_EncryptInit(token.handle, { mechanism: CKM_AES_ECB }, key.handle);
      const block = pkcs11.C_Encrypt(token.handle, Buffer.alloc(16), Buffer.alloc(32)).toString('hex');
      return { kind: 'aes-kcv', method: 'AES-ECB-zero-block', block, kcv: block.slice(0, 6) };
    }
    if (family === 'HMAC') {
      const hmac = HMAC_MECHANISMS[key.info.type];
      if (!hmac) throw new HsmKeyTypeMismatchError(`no HMAC mechanism for ${key.info.type}`, label);
      const data = Buffer.from(challenge ?? randomBytes(32));
      pkcs11.C_SignInit(token.handle, { mechanism: hmac.mechanism }, key.handle);
      const mac = pkcs11.C_Sign(token.handle, data, Buffer.alloc(64));
      return {
        kind: 'hmac',
        macAlgorithm: hmac.macAlgorithm,
        keyLength: key.info.valueLength ?? 0,
        challenge: new Uint8Array(data),
        mac: new Uint8Array(mac),
      };
    }
    return { kind: 'public-key', spki: publicKeySpki(token, key) };
  } catch (error) {
    if (error instanceof HsmError) throw error;
    throw token.mapError(error, `computing evidence for key "${label}"`);
  }
}

function publicKeySpki(token: TokenSession, key: FoundKey): Uint8Array {
  if (keyFamily(key.info.type) === 'RSA') {
    // Modulus and public exponent are public attributes, readable on a sensitive private key.
    const modulus = token.attribute(key.handle, CKA_MODULUS);
    const exponent = token.attribute(key.handle, CKA_PUBLIC_EXPONENT);
    return new Uint8Array(
      createPublicKey({ key: { kty: 'RSA', n: b64u(modulus), e: b64u(exponent) }, format: 'jwk' }).export({
        format: 'der',
        type: 'spki',
      }),
    );
  }
  const curve = CURVES[key.info.type];
  if (!curve) throw new HsmKeyTypeMismatchError(`no curve for ${key.info.type}`, key.info.label);
  const [publicHandle] = token.find([
    { type: CKA_CLASS, value: CKO_PUBLIC_KEY },
    { type: CKA_LABEL, value: key.info.label },
    ...(key.id.length > 0 ? [{ type: CKA_ID, value: key.id }] : []),
  ]);
  if (!publicHandle) {
    throw new HsmError(
      `the public half of EC key "${key.info.label}" is missing from token "${token.tokenLabel}"`,
      { hint: 'byok finds it by the same label and CKA_ID as the private key.' },
    );
  }
  const point = uncompressedPoint(token.attribute(publicHandle, CKA_EC_POINT), curve.coordinateBytes);
  const x = point.subarray(1, 1 + curve.coordinateBytes).toString('base64url');
  const y = point.subarray(1 + curve.coordinateBytes).toString('base64url');
  return new Uint8Array(
    createPublicKey({ key: { kty: 'EC', crv: curve.jwkCurve, x, y }, format: 'jwk' }).export({
      format: 'der',
      type: 'spki',
    }),
  );
}

/** The refusals the token may not make for us (NSS ignores CKA_EXTRACTABLE=false). */
function assertWrappable(info: HsmKeyInfo): void {
  if (!info.sensitive) throw new HsmKeyNotSensitiveError(info.label, info.token);
  if (!info.extractable) throw new HsmKeyNotExtractableError(info.label, info.token);
}

function oaepMechanism(algorithm: WrappingAlgorithm): pkcs11js.Mechanism {
  const sha256 = algorithm.endsWith('SHA_256');
  const parameter: pkcs11js.RsaOAEP = {
    type: CK_PARAMS_RSA_OAEP,
    hashAlg: sha256 ? CKM_SHA256 : CKM_SHA_1,
    mgf: sha256 ? CKG_MGF1_SHA256 : CKG_MGF1_SHA1,
    source: CKZ_DATA_SPECIFIED,
  };
  return { mechanism: CKM_RSA_PKCS_OAEP, parameter };
}

function parseWrappingPublicKey(spki: Uint8Array): {
  modulus: Buffer;
  exponent: Buffer;
  modulusBytes: number;
} {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (error) {
    throw new HsmInvalidWrappingKeyError('the wrapping public key is not a DER SubjectPublicKeyInfo', {
      cause: error,
    });
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== 'rsa' || (bits !== 2048 && bits !== 3072 && bits !== 4096)) {
    throw new HsmInvalidWrappingKeyError(
      `the wrapping public key must be RSA 2048, 3072 or 4096 bits (got ${describeNodeKey(key)})`,
    );
  }
  const jwk = key.export({ format: 'jwk' });
  return { modulus: fromB64u(jwk.n), exponent: fromB64u(jwk.e), modulusBytes: bits / 8 };
}

function defaultLength(type: HsmKeyType): number | undefined {
  if (type === 'AES_256') return 32;
  return HMAC_LENGTHS[type];
}

/**
 * What a token with these capabilities can produce for a key of this type and length. Lengths
 * matter on tokens whose RFC 5649 is only exact for multiples of 8 (SoftHSM2 2.6.1 zero-pads).
 */
export function wrappingAlgorithmsFor(
  capabilities: TokenCapabilities,
  type: HsmKeyType,
  secretLength: number | undefined,
): {
  algorithms: WrappingAlgorithm[];
  reasons: Partial<Record<WrappingAlgorithm, string>>;
  codes: Partial<Record<WrappingAlgorithm, Pkcs11ReturnCode>>;
} {
  const algorithms: WrappingAlgorithm[] = [];
  const reasons: Partial<Record<WrappingAlgorithm, string>> = {};
  const codes: Partial<Record<WrappingAlgorithm, Pkcs11ReturnCode>> = {};
  const failures = capabilities.failureCodes;
  const family = keyFamily(type);
  for (const hash of ['SHA_1', 'SHA_256'] as const) {
    const oaepOk = hash === 'SHA_256' ? capabilities.oaepSha256 : capabilities.oaepSha1;
    const oaep = `RSAES_OAEP_${hash}` as const;
    const hybrid = `RSA_AES_KEY_WRAP_${hash}` as const;
    const noOaep = `the token's RSA-OAEP does not support ${hash.replace('_', '-')}`;
    if (!oaepOk) {
      const code = hash === 'SHA_256' ? failures.oaepSha256 : failures.oaepSha1;
      reasons[oaep] = noOaep;
      reasons[hybrid] = noOaep;
      codes[oaep] = code;
      codes[hybrid] = code;
      continue;
    }
    if (family === 'RSA') reasons[oaep] = 'an RSA private key is too long for RSA-OAEP';
    else if (family === 'ECC' && !capabilities.oaepPrivateKeys) {
      reasons[oaep] = "the token's RSA-OAEP cannot wrap private keys";
      codes[oaep] = failures.oaepPrivateKeys;
    } else algorithms.push(oaep);
    const kwp = capabilities.kwp;
    if (!kwp) {
      reasons[hybrid] = capabilities.kwpFinding ?? 'the token has no exact RFC 5649 key wrap with padding';
      codes[hybrid] = failures.kwp;
    } else if (kwp.exactFor === 'all') {
      algorithms.push(hybrid);
    } else if (!isAsymmetric(type) && secretLength !== undefined && secretLength % 8 === 0) {
      algorithms.push(hybrid);
    } else {
      reasons[hybrid] = isAsymmetric(type)
        ? `${kwp.finding}; a PKCS#8 private key's length is rarely a multiple of 8, so it would come back padded`
        : `${kwp.finding}; a ${secretLength ?? '?'}-byte key is not a multiple of 8, so it would come back padded`;
    }
  }
  return { algorithms, reasons, codes };
}
