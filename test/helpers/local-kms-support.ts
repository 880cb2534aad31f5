// Shared helpers for the local KMS endpoint tests: real SDK clients against a started stack, and
// the customer side of an import (wrapping material with the public key, as an HSM or openssl would).

import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { KMSClient } from '@aws-sdk/client-kms';
import { expect } from 'vitest';

export function kmsClient(url: string, region = 'us-east-1'): KMSClient {
  return new KMSClient({
    endpoint: url,
    region,
    credentials: { accessKeyId: 'byoklocal', secretAccessKey: 'byoklocal' },
    maxAttempts: 1,
  });
}

export type TestWrappingAlgorithm =
  | 'RSAES_OAEP_SHA_1'
  | 'RSAES_OAEP_SHA_256'
  | 'RSA_AES_KEY_WRAP_SHA_1'
  | 'RSA_AES_KEY_WRAP_SHA_256';

/** Wraps material the way AWS documents it (OAEP; or OAEP-wrapped AES-256 + RFC 5649). */
export function wrapMaterial(
  publicKeyDer: Uint8Array,
  algorithm: TestWrappingAlgorithm,
  material: Buffer,
): Buffer {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  const oaepHash = algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256';
  const oaep = (data: Buffer) =>
    publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data);
  if (algorithm.startsWith('RSAES_OAEP')) return oaep(material);
  const aesKey = randomBytes(32);
  const cipher = createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('a65959a6', 'hex'));
  return Buffer.concat([oaep(aesKey), cipher.update(material), cipher.final()]);
}

/** Asserts an AWS error by exception name and (when given) exact message; `null` means no message. */
export async function expectAwsError(
  promise: Promise<unknown>,
  name: string,
  message?: string | RegExp | null,
): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught as Error & { $response?: unknown },
  );
  expect(error, `expected ${name}`).toBeDefined();
  expect(error?.name).toBe(name);
  if (message === null) expect(error?.message).toBe('UnknownError');
  else if (typeof message === 'string') expect(error?.message).toBe(message);
  else if (message instanceof RegExp) expect(error?.message).toMatch(message);
}
