import type * as realCrypto from 'node:crypto';
import { constants, createCipheriv, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { unwrapKeyMaterial } from '../../../../src/local/kms/material.ts';
import { AwsServiceError } from '../../../../src/local/protocol.ts';

// The ephemeral AES key is private to unwrapKeyMaterial; the only way to see it afterwards is to keep
// the Buffer that privateDecrypt returned. The pass-through leaves the real decryption untouched.
const decrypted: Buffer[] = [];
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof realCrypto>();
  return {
    ...original,
    privateDecrypt: (...args: Parameters<typeof realCrypto.privateDecrypt>) => {
      const plain = original.privateDecrypt(...args);
      decrypted.push(plain);
      return plain;
    },
  };
});

const wrapping = generateKeyPairSync('rsa', { modulusLength: 2048 });

function hybridBlob(aesKey: Buffer, material: Buffer): Buffer {
  const wrappedKey = publicEncrypt(
    { key: wrapping.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    aesKey,
  );
  const cipher = createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('a65959a6', 'hex'));
  return Buffer.concat([wrappedKey, cipher.update(material), cipher.final()]);
}

describe('unwrapKeyMaterial: the ephemeral AES key', () => {
  it('is zeroed when the RFC 5649 unwrap fails (security review G10)', () => {
    // Prepare
    const blob = hybridBlob(randomBytes(32), randomBytes(32));
    blob[blob.length - 1] = (blob[blob.length - 1] ?? 0) ^ 1;
    decrypted.length = 0;

    // Act
    const run = () => unwrapKeyMaterial(blob, 'RSA_AES_KEY_WRAP_SHA_256', wrapping.privateKey);

    // Assess
    expect(run).toThrow(AwsServiceError);
    expect(decrypted).toHaveLength(1);
    expect(decrypted[0]?.length).toBe(32);
    expect(decrypted[0]?.every((byte) => byte === 0)).toBe(true);
  });

  it('is zeroed on success too, and the material comes back intact', () => {
    // Prepare
    const material = randomBytes(40);
    const blob = hybridBlob(randomBytes(32), material);
    decrypted.length = 0;

    // Act
    const unwrapped = unwrapKeyMaterial(blob, 'RSA_AES_KEY_WRAP_SHA_256', wrapping.privateKey);

    // Assess
    expect(unwrapped.equals(material)).toBe(true);
    expect(decrypted).toHaveLength(1);
    expect(decrypted[0]?.every((byte) => byte === 0)).toBe(true);
  });
});
