// The unwrapping side, as KMS does it (node:crypto). byok itself never unwraps material: the
// capability self-test unwraps known test values the token wrapped, and tests use it to prove a
// wrap is exact.
import { createDecipheriv, constants as cryptoConstants, type KeyObject, privateDecrypt } from 'node:crypto';
import type { WrappingAlgorithm } from './port.ts';

/** RFC 5649 alternative initial value. */
const KWP_IV = Buffer.from('A65959A6', 'hex');

function oaepHashOf(algorithm: WrappingAlgorithm): 'sha1' | 'sha256' {
  return algorithm.endsWith('SHA_256') ? 'sha256' : 'sha1';
}

function isRsaAesKeyWrap(algorithm: WrappingAlgorithm): boolean {
  return algorithm.startsWith('RSA_AES_KEY_WRAP');
}

export function rsaOaepDecrypt(privateKey: KeyObject, hash: 'sha1' | 'sha256', data: Uint8Array): Buffer {
  return privateDecrypt(
    { key: privateKey, padding: cryptoConstants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
    data,
  );
}

/** Strict RFC 5649 unwrap with a 256-bit AES key (OpenSSL's id-aes256-wrap-pad). */
export function aesKeyUnwrapWithPadding(kek: Uint8Array, wrapped: Uint8Array): Buffer {
  const decipher = createDecipheriv('id-aes256-wrap-pad', kek, KWP_IV);
  return Buffer.concat([decipher.update(wrapped), decipher.final()]);
}

/** Unwraps EncryptedKeyMaterial the way KMS ImportKeyMaterial does. */
export function unwrapAsKms(input: {
  algorithm: WrappingAlgorithm;
  wrappingPrivateKey: KeyObject;
  wrappedKeyMaterial: Uint8Array;
}): Buffer {
  const hash = oaepHashOf(input.algorithm);
  const wrapped = Buffer.from(input.wrappedKeyMaterial);
  if (!isRsaAesKeyWrap(input.algorithm)) return rsaOaepDecrypt(input.wrappingPrivateKey, hash, wrapped);
  const modulusBits = input.wrappingPrivateKey.asymmetricKeyDetails?.modulusLength ?? 0;
  const split = modulusBits / 8;
  const ephemeral = rsaOaepDecrypt(input.wrappingPrivateKey, hash, wrapped.subarray(0, split));
  try {
    return aesKeyUnwrapWithPadding(ephemeral, wrapped.subarray(split));
  } finally {
    ephemeral.fill(0);
  }
}
