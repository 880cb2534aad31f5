// Capability probing: a self-test with throw-away session keys generated in the token. The token
// wraps them and node:crypto unwraps them as KMS would; a result counts only if it is the same key,
// byte for byte, as taken out another way. This is how a token whose "AES key wrap with padding" is
// not exact RFC 5649 (SoftHSM2 2.6.1 zero-pads) is caught before it produces material KMS would
// import with trailing zeros.
import {
  createCipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { HsmError, type Pkcs11ReturnCode, pkcs11ReturnCode } from './errors.ts';
import { aesKeyUnwrapWithPadding, rsaOaepDecrypt } from './kms-unwrap.ts';

type Pkcs11 = pkcs11js.PKCS11;
type Handle = pkcs11js.Handle;

export interface KwpCapability {
  mechanism: number;
  /** 'multiple-of-8': exact only when the input length is a multiple of 8 bytes. */
  exactFor: 'all' | 'multiple-of-8';
  /** Why it is not exact for all lengths, when it is not. */
  finding: string;
}

export interface TokenCapabilities {
  oaepSha1: boolean;
  oaepSha256: boolean;
  /** RSA-OAEP can wrap a (short) private key, e.g. EC P-256 PKCS#8. */
  oaepPrivateKeys: boolean;
  kwp: KwpCapability | undefined;
  /** Why no RFC 5649 mechanism qualified, when none did. */
  kwpFinding: string | undefined;
  /** What the self-test saw, for `byok hsm list` and logs. */
  findings: string[];
  /** The PKCS#11 return code behind each failed check, when the token gave one. */
  failureCodes: Partial<Record<'oaepSha1' | 'oaepSha256' | 'oaepPrivateKeys' | 'kwp', Pkcs11ReturnCode>>;
}

const {
  CKA_CLASS,
  CKA_KEY_TYPE,
  CKA_TOKEN,
  CKA_SENSITIVE,
  CKA_EXTRACTABLE,
  CKA_VALUE_LEN,
  CKA_WRAP,
  CKA_SIGN,
  CKA_ENCRYPT,
  CKA_MODULUS,
  CKA_PUBLIC_EXPONENT,
  CKA_EC_PARAMS,
  CKA_EC_POINT,
  CKO_SECRET_KEY,
  CKO_PUBLIC_KEY,
  CKO_PRIVATE_KEY,
  CKK_AES,
  CKK_GENERIC_SECRET,
  CKK_RSA,
  CKK_EC,
  CKM_RSA_PKCS_OAEP,
  CKM_AES_KEY_GEN,
  CKM_GENERIC_SECRET_KEY_GEN,
  CKM_EC_KEY_PAIR_GEN,
  CKM_AES_ECB,
  CKM_SHA_1,
  CKM_SHA256,
  CKG_MGF1_SHA1,
  CKG_MGF1_SHA256,
  CK_PARAMS_RSA_OAEP,
} = pkcs11js;

const P256_OID = Buffer.from('06082a8648ce3d030107', 'hex');

let probeRsaKey: { publicJwk: { n: string; e: string }; privateKey: KeyObject } | undefined;

function probeWrappingKey() {
  if (!probeRsaKey) {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    probeRsaKey = { publicJwk: { n: jwk.n ?? '', e: jwk.e ?? '' }, privateKey };
  }
  return probeRsaKey;
}

function hex(code: number): string {
  return `0x${code.toString(16).toUpperCase()}`;
}

export async function probeCapabilities(input: {
  pkcs11: Pkcs11;
  session: Handle;
  kwpMechanisms: readonly number[];
}): Promise<TokenCapabilities> {
  const { pkcs11, session } = input;
  const created: Handle[] = [];
  const track = (handle: Handle): Handle => {
    created.push(handle);
    return handle;
  };
  // Test keys are generated inside the token as sensitive session objects: no plaintext goes in,
  // so the self-test also runs on HSMs that refuse plaintext import (FIPS mode). Their values are
  // learnt only by unwrapping with the probe's own RSA key, exactly as KMS would.
  const generateSecret = (keyType: number, length: number, usage: pkcs11js.Template): Handle =>
    track(
      pkcs11.C_GenerateKey(
        session,
        { mechanism: keyType === CKK_AES ? CKM_AES_KEY_GEN : CKM_GENERIC_SECRET_KEY_GEN },
        [
          { type: CKA_CLASS, value: CKO_SECRET_KEY },
          { type: CKA_KEY_TYPE, value: keyType },
          { type: CKA_VALUE_LEN, value: length },
          { type: CKA_TOKEN, value: false },
          { type: CKA_SENSITIVE, value: true },
          { type: CKA_EXTRACTABLE, value: true },
          ...usage,
        ],
      ),
    );
  const findings: string[] = [];
  const failureCodes: TokenCapabilities['failureCodes'] = {};
  try {
    const rsa = probeWrappingKey();
    const publicHandle = track(
      pkcs11.C_CreateObject(session, [
        { type: CKA_CLASS, value: CKO_PUBLIC_KEY },
        { type: CKA_KEY_TYPE, value: CKK_RSA },
        { type: CKA_TOKEN, value: false },
        { type: CKA_WRAP, value: true },
        { type: CKA_ENCRYPT, value: true },
        { type: CKA_MODULUS, value: Buffer.from(rsa.publicJwk.n, 'base64url') },
        { type: CKA_PUBLIC_EXPONENT, value: Buffer.from(rsa.publicJwk.e, 'base64url') },
      ]),
    );
    const kekHandle = generateSecret(CKK_AES, 32, [
      { type: CKA_WRAP, value: true },
      { type: CKA_ENCRYPT, value: true },
    ]);
    // The token's own AES-ECB of a zero block under the KEK, when it allows ECB: a check that the
    // OAEP-unwrapped KEK is the key the token holds, not merely well-formed.
    let kekCheck: Buffer | undefined;
    try {
      pkcs11.C_EncryptInit(session, { mechanism: CKM_AES_ECB }, kekHandle);
      kekCheck = Buffer.from(pkcs11.C_Encrypt(session, Buffer.alloc(16), Buffer.alloc(32)));
    } catch (error) {
      findings.push(`AES-ECB check value not available: ${describe(error)}`);
    }
    const matchesKek = (plain: Buffer): boolean =>
      plain.length === 32 &&
      (kekCheck === undefined ||
        createCipheriv('aes-256-ecb', plain, null)
          .setAutoPadding(false)
          .update(Buffer.alloc(16))
          .equals(kekCheck));

    const oaep = (hash: 'sha1' | 'sha256'): pkcs11js.Mechanism => {
      const parameter: pkcs11js.RsaOAEP = {
        type: CK_PARAMS_RSA_OAEP,
        hashAlg: hash === 'sha256' ? CKM_SHA256 : CKM_SHA_1,
        mgf: hash === 'sha256' ? CKG_MGF1_SHA256 : CKG_MGF1_SHA1,
        source: 1,
      };
      return { mechanism: CKM_RSA_PKCS_OAEP, parameter };
    };
    /** OAEP-wraps the target in the token and unwraps it here; undefined when the token refuses. */
    const oaepUnwrapped = (
      check: keyof TokenCapabilities['failureCodes'],
      hash: 'sha1' | 'sha256',
      target: Handle,
    ): Buffer | undefined => {
      try {
        const wrapped = pkcs11.C_WrapKey(session, oaep(hash), publicHandle, target, Buffer.alloc(256));
        return rsaOaepDecrypt(rsa.privateKey, hash, wrapped);
      } catch (error) {
        const code = pkcs11ReturnCode(error);
        if (code) failureCodes[check] = code;
        findings.push(`RSA-OAEP with ${hash} (${check}): ${describe(error)}`);
        return undefined;
      }
    };
    const kekBySha1 = oaepUnwrapped('oaepSha1', 'sha1', kekHandle);
    const kekBySha256 = oaepUnwrapped('oaepSha256', 'sha256', kekHandle);
    const oaepSha1 = kekBySha1 !== undefined && matchesKek(kekBySha1);
    const oaepSha256 = kekBySha256 !== undefined && matchesKek(kekBySha256);
    if (kekBySha1 && !oaepSha1) findings.push('RSA-OAEP with sha1 returned a different key');
    if (kekBySha256 && !oaepSha256) findings.push('RSA-OAEP with sha256 returned a different key');
    const bestHash = oaepSha256 ? 'sha256' : oaepSha1 ? 'sha1' : undefined;
    const kek = oaepSha256 ? kekBySha256 : oaepSha1 ? kekBySha1 : undefined;

    let oaepPrivateKeys = false;
    if (bestHash) {
      const pair = pkcs11.C_GenerateKeyPair(
        session,
        { mechanism: CKM_EC_KEY_PAIR_GEN },
        [
          { type: CKA_CLASS, value: CKO_PUBLIC_KEY },
          { type: CKA_KEY_TYPE, value: CKK_EC },
          { type: CKA_TOKEN, value: false },
          { type: CKA_EC_PARAMS, value: P256_OID },
        ],
        [
          { type: CKA_CLASS, value: CKO_PRIVATE_KEY },
          { type: CKA_KEY_TYPE, value: CKK_EC },
          { type: CKA_TOKEN, value: false },
          { type: CKA_SENSITIVE, value: true },
          { type: CKA_EXTRACTABLE, value: true },
          { type: CKA_SIGN, value: true },
        ],
      );
      track(pair.publicKey);
      track(pair.privateKey);
      const plain = oaepUnwrapped('oaepPrivateKeys', bestHash, pair.privateKey);
      if (plain) {
        const [pointAttribute] = pkcs11.C_GetAttributeValue(session, pair.publicKey, [
          { type: CKA_EC_POINT },
        ]);
        const point = pointAttribute?.value as Buffer | undefined;
        try {
          const jwk = createPublicKey(createPrivateKey({ key: plain, format: 'der', type: 'pkcs8' })).export({
            format: 'jwk',
          });
          const expected = Buffer.concat([
            Buffer.from([0x04]),
            Buffer.from(jwk.x ?? '', 'base64url'),
            Buffer.from(jwk.y ?? '', 'base64url'),
          ]);
          oaepPrivateKeys = point?.subarray(point.length - expected.length).equals(expected) ?? false;
        } catch {
          oaepPrivateKeys = false;
        }
        if (!oaepPrivateKeys) findings.push('RSA-OAEP of an EC private key did not return that key');
      }
    }

    // RFC 5649 self-test under the KEK: one length that is not a multiple of 8 and one that is,
    // compared with the same secrets taken out by OAEP.
    let kwp: KwpCapability | undefined;
    const kwpFindings: string[] = [];
    if (kek && bestHash) {
      const oddHandle = generateSecret(CKK_GENERIC_SECRET, 33, []);
      const evenHandle = generateSecret(CKK_GENERIC_SECRET, 32, []);
      const odd = oaepUnwrapped('kwp', bestHash, oddHandle);
      const even = oaepUnwrapped('kwp', bestHash, evenHandle);
      const roundTrip = (
        mechanism: number,
        target: Handle,
        expected: Buffer | undefined,
      ): string | undefined => {
        if (!expected) return 'the test secret could not be taken out with RSA-OAEP';
        let wrapped: Buffer;
        try {
          wrapped = pkcs11.C_WrapKey(session, { mechanism }, kekHandle, target, Buffer.alloc(256));
        } catch (error) {
          const code = pkcs11ReturnCode(error);
          if (code) failureCodes.kwp = code;
          return `wrap failed: ${describe(error)}`;
        }
        let unwrapped: Buffer;
        try {
          unwrapped = aesKeyUnwrapWithPadding(kek, wrapped);
        } catch {
          return `a ${expected.length}-byte key did not unwrap as RFC 5649`;
        }
        if (unwrapped.length !== expected.length) {
          return `a ${expected.length}-byte key came back as ${unwrapped.length} bytes (not exact RFC 5649)`;
        }
        return unwrapped.equals(expected) ? undefined : `a ${expected.length}-byte key came back altered`;
      };
      for (const mechanism of input.kwpMechanisms) {
        const oddProblem = roundTrip(mechanism, oddHandle, odd);
        if (!oddProblem) {
          kwp = { mechanism, exactFor: 'all', finding: `mechanism ${hex(mechanism)} is exact RFC 5649` };
          findings.push(kwp.finding);
          break;
        }
        const finding = `mechanism ${hex(mechanism)}: ${oddProblem}`;
        kwpFindings.push(finding);
        findings.push(finding);
        if (!kwp && !roundTrip(mechanism, evenHandle, even)) {
          kwp = { mechanism, exactFor: 'multiple-of-8', finding };
        }
      }
      odd?.fill(0);
      even?.fill(0);
    } else {
      kwpFindings.push('RFC 5649 not tested: the token has no usable RSA-OAEP');
    }
    kekBySha1?.fill(0);
    kekBySha256?.fill(0);
    return {
      oaepSha1,
      oaepSha256,
      oaepPrivateKeys,
      kwp,
      kwpFinding: kwp ? undefined : kwpFindings.join('; ') || 'no RFC 5649 mechanism to try',
      findings,
      failureCodes,
    };
  } catch (error) {
    throw new HsmError('the capability self-test could not create its session test keys', {
      cause: error,
      returnCode: pkcs11ReturnCode(error),
      hint: 'The token must allow session keys generated with CKA_SENSITIVE=true, CKA_EXTRACTABLE=true.',
    });
  } finally {
    for (const handle of created) {
      try {
        pkcs11.C_DestroyObject(session, handle);
      } catch {
        // Session objects vanish with the session anyway.
      }
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof pkcs11js.Pkcs11Error) return `${error.message} (${hex(error.code)})`;
  return error instanceof Error ? error.message : String(error);
}
