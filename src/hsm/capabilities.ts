// Capability probing: a self-test with throw-away session objects of known value. The token wraps
// them and node:crypto unwraps them as KMS would; only byte-exact results count. This is how a
// token whose "AES key wrap with padding" is not exact RFC 5649 (SoftHSM2 2.6.1 zero-pads) is
// caught before it produces material KMS would import with trailing zeros.
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { type Pkcs11ReturnCode, pkcs11ReturnCode } from './errors.ts';
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
  CKA_VALUE,
  CKA_WRAP,
  CKA_ENCRYPT,
  CKA_MODULUS,
  CKA_PUBLIC_EXPONENT,
  CKA_EC_PARAMS,
  CKO_SECRET_KEY,
  CKO_PUBLIC_KEY,
  CKO_PRIVATE_KEY,
  CKK_AES,
  CKK_GENERIC_SECRET,
  CKK_RSA,
  CKK_EC,
  CKM_RSA_PKCS_OAEP,
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
  const create = (template: pkcs11js.Template): Handle => {
    const handle = pkcs11.C_CreateObject(session, [{ type: CKA_TOKEN, value: false }, ...template]);
    created.push(handle);
    return handle;
  };
  const findings: string[] = [];
  const failureCodes: TokenCapabilities['failureCodes'] = {};
  try {
    const rsa = probeWrappingKey();
    const publicHandle = create([
      { type: CKA_CLASS, value: CKO_PUBLIC_KEY },
      { type: CKA_KEY_TYPE, value: CKK_RSA },
      { type: CKA_WRAP, value: true },
      { type: CKA_ENCRYPT, value: true },
      { type: CKA_MODULUS, value: Buffer.from(rsa.publicJwk.n, 'base64url') },
      { type: CKA_PUBLIC_EXPONENT, value: Buffer.from(rsa.publicJwk.e, 'base64url') },
    ]);
    const aesValue = randomBytes(32);
    const aesHandle = create([
      { type: CKA_CLASS, value: CKO_SECRET_KEY },
      { type: CKA_KEY_TYPE, value: CKK_AES },
      { type: CKA_SENSITIVE, value: false },
      { type: CKA_EXTRACTABLE, value: true },
      { type: CKA_WRAP, value: true },
      { type: CKA_VALUE, value: aesValue },
    ]);

    const oaep = (hash: 'sha1' | 'sha256'): pkcs11js.Mechanism => {
      const parameter: pkcs11js.RsaOAEP = {
        type: CK_PARAMS_RSA_OAEP,
        hashAlg: hash === 'sha256' ? CKM_SHA256 : CKM_SHA_1,
        mgf: hash === 'sha256' ? CKG_MGF1_SHA256 : CKG_MGF1_SHA1,
        source: 1,
      };
      return { mechanism: CKM_RSA_PKCS_OAEP, parameter };
    };
    const oaepWrapsExactly = (
      check: 'oaepSha1' | 'oaepSha256' | 'oaepPrivateKeys',
      hash: 'sha1' | 'sha256',
      target: Handle,
      expected: (plain: Buffer) => boolean,
    ) => {
      try {
        const wrapped = pkcs11.C_WrapKey(session, oaep(hash), publicHandle, target, Buffer.alloc(256));
        if (expected(rsaOaepDecrypt(rsa.privateKey, hash, wrapped))) return true;
        findings.push(`RSA-OAEP with ${hash} (${check}): the unwrapped key differs`);
        return false;
      } catch (error) {
        const code = pkcs11ReturnCode(error);
        if (code) failureCodes[check] = code;
        findings.push(`RSA-OAEP with ${hash} (${check}): ${describe(error)}`);
        return false;
      }
    };
    const oaepSha1 = oaepWrapsExactly('oaepSha1', 'sha1', aesHandle, (plain) => plain.equals(aesValue));
    const oaepSha256 = oaepWrapsExactly('oaepSha256', 'sha256', aesHandle, (plain) => plain.equals(aesValue));

    let oaepPrivateKeys = false;
    const bestHash = oaepSha256 ? 'sha256' : oaepSha1 ? 'sha1' : undefined;
    if (bestHash) {
      const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const ecJwk = ec.privateKey.export({ format: 'jwk' });
      const ecHandle = create([
        { type: CKA_CLASS, value: CKO_PRIVATE_KEY },
        { type: CKA_KEY_TYPE, value: CKK_EC },
        { type: CKA_SENSITIVE, value: false },
        { type: CKA_EXTRACTABLE, value: true },
        { type: CKA_EC_PARAMS, value: P256_OID },
        { type: CKA_VALUE, value: Buffer.from(ecJwk.d ?? '', 'base64url') },
      ]);
      oaepPrivateKeys = oaepWrapsExactly('oaepPrivateKeys', bestHash, ecHandle, (plain) => {
        const jwk = createPrivateKey({ key: plain, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
        return jwk.d === ecJwk.d && jwk.crv === 'P-256';
      });
    }

    // RFC 5649 self-test: one length that is not a multiple of 8 and one that is.
    let kwp: KwpCapability | undefined;
    const kwpFindings: string[] = [];
    const odd = randomBytes(33);
    const even = randomBytes(32);
    const secret = (value: Buffer) =>
      create([
        { type: CKA_CLASS, value: CKO_SECRET_KEY },
        { type: CKA_KEY_TYPE, value: CKK_GENERIC_SECRET },
        { type: CKA_SENSITIVE, value: false },
        { type: CKA_EXTRACTABLE, value: true },
        { type: CKA_VALUE, value },
      ]);
    const oddHandle = secret(odd);
    const evenHandle = secret(even);
    const roundTrip = (mechanism: number, target: Handle, expected: Buffer): string | undefined => {
      let wrapped: Buffer;
      try {
        wrapped = pkcs11.C_WrapKey(session, { mechanism }, aesHandle, target, Buffer.alloc(256));
      } catch (error) {
        const code = pkcs11ReturnCode(error);
        if (code) failureCodes.kwp = code;
        return `wrap failed: ${describe(error)}`;
      }
      let unwrapped: Buffer;
      try {
        unwrapped = aesKeyUnwrapWithPadding(aesValue, wrapped);
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
    odd.fill(0);
    even.fill(0);
    aesValue.fill(0);
    return {
      oaepSha1,
      oaepSha256,
      oaepPrivateKeys,
      kwp,
      kwpFinding: kwp ? undefined : kwpFindings.join('; ') || 'no RFC 5649 mechanism to try',
      findings,
      failureCodes,
    };
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
