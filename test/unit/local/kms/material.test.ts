import { constants, createCipheriv, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkMaterial, keyMaterialId, unwrapKeyMaterial } from '../../../../src/local/kms/material.ts';
import { wrappingAllowed } from '../../../../src/local/kms/spec.ts';
import { AwsServiceError } from '../../../../src/local/protocol.ts';

const wrapping = generateKeyPairSync('rsa', { modulusLength: 2048 });

function oaep(data: Buffer, hash: 'sha1' | 'sha256' = 'sha256'): Buffer {
  return publicEncrypt(
    { key: wrapping.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash },
    data,
  );
}

function expectInvalidCiphertext(run: () => unknown): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(AwsServiceError);
  expect((caught as AwsServiceError).toBody()).toEqual({ __type: 'InvalidCiphertextException' });
}

describe('unwrapKeyMaterial', () => {
  it('unwraps OAEP with the exact hash only', () => {
    // Prepare
    const material = randomBytes(32);

    // Act
    const unwrapped = unwrapKeyMaterial(oaep(material, 'sha1'), 'RSAES_OAEP_SHA_1', wrapping.privateKey);

    // Assess
    expect(unwrapped.equals(material)).toBe(true);
    expectInvalidCiphertext(() =>
      unwrapKeyMaterial(oaep(material, 'sha1'), 'RSAES_OAEP_SHA_256', wrapping.privateKey),
    );
  });

  it('unwraps RSA_AES_KEY_WRAP (OAEP + RFC 5649) and refuses a tampered or truncated tail', () => {
    // Prepare
    const material = randomBytes(45);
    const aesKey = randomBytes(32);
    const cipher = createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('a65959a6', 'hex'));
    const blob = Buffer.concat([oaep(aesKey), cipher.update(material), cipher.final()]);
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;

    // Act
    const unwrapped = unwrapKeyMaterial(blob, 'RSA_AES_KEY_WRAP_SHA_256', wrapping.privateKey);

    // Assess
    expect(unwrapped.equals(material)).toBe(true);
    expectInvalidCiphertext(() =>
      unwrapKeyMaterial(tampered, 'RSA_AES_KEY_WRAP_SHA_256', wrapping.privateKey),
    );
    expectInvalidCiphertext(() =>
      unwrapKeyMaterial(blob.subarray(0, 256 + 8), 'RSA_AES_KEY_WRAP_SHA_256', wrapping.privateKey),
    );
    expectInvalidCiphertext(() => unwrapKeyMaterial(blob, 'RSA_AES_KEY_WRAP_SHA_1', wrapping.privateKey));
  });
});

describe('checkMaterial', () => {
  it.each([
    ['SYMMETRIC_DEFAULT', 32, true],
    ['SYMMETRIC_DEFAULT', 16, false],
    ['HMAC_256', 31, false],
    ['HMAC_256', 64, true],
    ['HMAC_256', 65, false],
    ['HMAC_384', 48, true],
    ['HMAC_512', 128, true],
    ['HMAC_512', 63, false],
  ] as const)('%s material of %i bytes is accepted: %s', (spec, length, accepted) => {
    // Prepare
    const material = randomBytes(length);

    // Act & Assess
    if (accepted) expect(checkMaterial(spec, material).secret.equals(material)).toBe(true);
    else expectInvalidCiphertext(() => checkMaterial(spec, material));
  });

  it('takes an RSA key only in PKCS#8 of the right size, identified by its public key', () => {
    // Prepare
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs8 = rsa.privateKey.export({ format: 'der', type: 'pkcs8' });
    const pkcs1 = rsa.privateKey.export({ format: 'der', type: 'pkcs1' });

    // Act
    const checked = checkMaterial('RSA_2048', pkcs8);

    // Assess
    expect(checked.identity.equals(rsa.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
    expectInvalidCiphertext(() => checkMaterial('RSA_3072', pkcs8));
    expectInvalidCiphertext(() => checkMaterial('RSA_2048', pkcs1));
    expectInvalidCiphertext(() => checkMaterial('ECC_NIST_P256', pkcs8));
  });
});

describe('keyMaterialId', () => {
  it('is deterministic per key and material, and differs across keys and secrets', () => {
    // Prepare
    const secret = randomBytes(32);
    const material = randomBytes(32);

    // Act
    const id = keyMaterialId(secret, 'key-a', material);

    // Assess
    expect(id).toMatch(/^[a-f0-9]{64}$/);
    expect(keyMaterialId(secret, 'key-a', Buffer.from(material))).toBe(id);
    expect(keyMaterialId(secret, 'key-b', material)).not.toBe(id);
    expect(keyMaterialId(randomBytes(32), 'key-a', material)).not.toBe(id);
  });
});

describe('wrappingAllowed', () => {
  it.each([
    ['RSAES_OAEP_SHA_256', 'RSA_2048', 'SYMMETRIC_DEFAULT', true],
    ['RSAES_OAEP_SHA_1', 'RSA_3072', 'HMAC_512', true],
    ['RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048', 'SYMMETRIC_DEFAULT', false],
    ['RSAES_OAEP_SHA_256', 'RSA_4096', 'RSA_2048', false],
    ['RSA_AES_KEY_WRAP_SHA_1', 'RSA_2048', 'RSA_4096', true],
    ['RSAES_OAEP_SHA_256', 'RSA_2048', 'ECC_NIST_P521', false],
    ['RSAES_OAEP_SHA_256', 'RSA_4096', 'ECC_NIST_P521', true],
    ['RSAES_PKCS1_V1_5', 'RSA_2048', 'SYMMETRIC_DEFAULT', false],
    ['SM2PKE', 'SM2', 'SYMMETRIC_DEFAULT', false],
  ] as const)('%s with %s for %s: %s', (algorithm, wrappingKeySpec, keySpec, allowed) => {
    // Act & Assess
    expect(wrappingAllowed(algorithm, wrappingKeySpec, keySpec)).toBe(allowed);
  });
});
