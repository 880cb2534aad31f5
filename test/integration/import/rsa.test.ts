import { createPublicKey, verify } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportHarness, startImportHarness } from '../../helpers/import-harness.ts';

describe('import workflow, RSA keys (real ASL, local KMS endpoint, NSS token)', () => {
  let harness: ImportHarness;

  beforeAll(async () => {
    harness = await startImportHarness({
      keys: [
        { label: 'rsa-sign', type: 'RSA_2048' },
        { label: 'rsa-crypt', type: 'RSA_3072' },
      ],
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('imports a signing key with RSA_AES_KEY_WRAP_SHA_256, and KMS signatures verify with the HSM public key', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'RSA_2048',
      keyUsage: 'SIGN_VERIFY',
      bind: ['rsa-sign'],
    });

    // Act
    const result = await harness.run({ keyId, hsmKeyLabel: 'rsa-sign', validForDays: 7 });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const output = result.output as { wrappingAlgorithm: string; evidence: { method: string } };
    expect(output.wrappingAlgorithm).toBe('RSA_AES_KEY_WRAP_SHA_256');
    expect(output.evidence.method).toBe('public-key');
    const hsmEvidence = await harness.token.hsm?.evidence('rsa-sign');
    if (hsmEvidence?.kind !== 'public-key') throw new Error('expected public key evidence');
    const hsmPublicKey = createPublicKey({ key: Buffer.from(hsmEvidence.spki), format: 'der', type: 'spki' });
    const kmsPublicKey = await harness.deps.kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
    expect(Buffer.from(kmsPublicKey.PublicKey ?? []).equals(Buffer.from(hsmEvidence.spki))).toBe(true);
    const message = Buffer.from('signed by KMS, checked against the HSM');
    const signed = await harness.deps.kms.send(
      new SignCommand({
        KeyId: keyId,
        Message: message,
        MessageType: 'RAW',
        SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
      }),
    );
    expect(verify('sha256', message, hsmPublicKey, Buffer.from(signed.Signature ?? []))).toBe(true);
  });

  it('imports an encryption key and proves it by the public key KMS derives, without decrypting with it', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'RSA_3072',
      keyUsage: 'ENCRYPT_DECRYPT',
      bind: ['rsa-crypt'],
    });

    // Act
    const result = await harness.run({ keyId, hsmKeyLabel: 'rsa-crypt', validForDays: 7 });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const output = result.output as {
      evidence: { method: string; checks: Array<{ name: string; passed: boolean }> };
    };
    expect(output.evidence.method).toBe('public-key');
    expect(output.evidence.checks.filter((check) => check.passed).map((check) => check.name)).toContain(
      'public-key-matches-hsm',
    );
  });
});
