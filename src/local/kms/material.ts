// Unwrapping imported key material and checking it, strictly: exact RSAES-OAEP (MGF1 with the same
// hash, empty label), exact RFC 5649 (anything that does not unwrap exactly is refused), and the
// material itself must be what the key spec says. Failures answer as AWS does, with a message-less
// InvalidCiphertextException; nothing about the material is ever put into an error.
import {
  constants,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  privateDecrypt,
} from 'node:crypto';
import { AwsServiceError } from '../protocol.ts';
import {
  ECC_RULES,
  HMAC_RULES,
  isHybridWrapping,
  type KeySpec,
  keyFamily,
  oaepHashOf,
  rsaBits,
  type WrappingAlgorithm,
} from './spec.ts';

const RFC5649_IV = Buffer.from('a65959a6', 'hex');

function invalidCiphertext(cause?: unknown): AwsServiceError {
  return new AwsServiceError('InvalidCiphertextException', undefined, 400, cause ? { cause } : undefined);
}

function oaepDecrypt(privateKey: KeyObject, hash: 'sha1' | 'sha256', data: Buffer): Buffer {
  return privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, data);
}

/** Reverses the wrapping done with the public key of an import token. */
export function unwrapKeyMaterial(
  encrypted: Buffer,
  algorithm: WrappingAlgorithm,
  privateKey: KeyObject,
): Buffer {
  const modulusBytes = (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  const hash = oaepHashOf(algorithm);
  try {
    if (!isHybridWrapping(algorithm)) {
      if (encrypted.length !== modulusBytes) throw new Error('wrapped length is not the modulus length');
      return oaepDecrypt(privateKey, hash, encrypted);
    }
    // RSA_AES_KEY_WRAP_*: an OAEP-wrapped ephemeral AES-256 key, then the material under RFC 5649.
    const wrappedAesKey = encrypted.subarray(0, modulusBytes);
    const wrappedMaterial = encrypted.subarray(modulusBytes);
    if (
      wrappedAesKey.length !== modulusBytes ||
      wrappedMaterial.length < 16 ||
      wrappedMaterial.length % 8 !== 0
    ) {
      throw new Error('wrapped blob has the wrong shape');
    }
    const aesKey = oaepDecrypt(privateKey, hash, wrappedAesKey);
    // Zeroed whatever happens next: a blob that fails to unwrap must not leave the key behind.
    try {
      if (aesKey.length !== 32) throw new Error('ephemeral key is not AES-256');
      const decipher = createDecipheriv('id-aes256-wrap-pad', aesKey, RFC5649_IV);
      return Buffer.concat([decipher.update(wrappedMaterial), decipher.final()]);
    } finally {
      aesKey.fill(0);
    }
  } catch (error) {
    throw invalidCiphertext(error);
  }
}

export interface CheckedMaterial {
  /** What the key uses: raw bytes (symmetric, HMAC) or canonical PKCS#8 DER (RSA, ECC). */
  secret: Buffer;
  /** What identifies the material: the bytes themselves, or the public key for asymmetric keys. */
  identity: Buffer;
  /** SPKI DER for asymmetric keys. */
  publicKey?: Buffer;
}

/** Checks unwrapped material against the key spec; refuses with InvalidCiphertextException. */
export function checkMaterial(spec: KeySpec, material: Buffer): CheckedMaterial {
  const family = keyFamily(spec);
  if (family === 'SYMMETRIC') {
    if (material.length !== 32) throw invalidCiphertext();
    return { secret: material, identity: material };
  }
  if (family === 'HMAC') {
    const rule = HMAC_RULES[spec];
    if (!rule || material.length < rule.minBytes || material.length > rule.maxBytes)
      throw invalidCiphertext();
    return { secret: material, identity: material };
  }
  let privateKey: KeyObject;
  try {
    if (derLength(material) !== material.length) throw new Error('trailing bytes after the PKCS#8 structure');
    privateKey = createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw invalidCiphertext(error);
  }
  const details = privateKey.asymmetricKeyDetails;
  if (family === 'RSA') {
    if (privateKey.asymmetricKeyType !== 'rsa' || details?.modulusLength !== rsaBits(spec))
      throw invalidCiphertext();
  } else if (privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== ECC_RULES[spec]?.curve) {
    throw invalidCiphertext();
  }
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const secret = privateKey.export({ format: 'der', type: 'pkcs8' });
  return { secret, identity: publicKey, publicKey };
}

/** Total length of the DER TLV at the start of `der` (definite lengths only, as DER requires). */
function derLength(der: Buffer): number {
  if (der.length < 2 || der[0] !== 0x30) throw new Error('not a DER SEQUENCE');
  const first = der[1] ?? 0;
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4 || der.length < 2 + count) throw new Error('not a definite DER length');
  let length = 0;
  for (let index = 0; index < count; index++) length = length * 256 + (der[2 + index] ?? 0);
  return 2 + count + length;
}

/** Deterministic per (key, material): the same material always yields the same 64-hex id. */
export function keyMaterialId(idSecret: Buffer, keyId: string, identity: Buffer): string {
  return createHmac('sha256', idSecret)
    .update(keyId)
    .update(Buffer.from([0]))
    .update(identity)
    .digest('hex');
}
