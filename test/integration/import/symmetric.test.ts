import { DecryptCommand, DescribeKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAG_VALID_FOR_DAYS } from '../../../src/core/import/tags.ts';
import { type ImportHarness, startImportHarness } from '../../helpers/import-harness.ts';

describe('import workflow, symmetric keys (real ASL, local KMS endpoint, NSS token)', () => {
  let harness: ImportHarness;

  beforeAll(async () => {
    harness = await startImportHarness({
      keys: [
        { label: 'aes-a', type: 'AES_256' },
        { label: 'aes-b', type: 'AES_256' },
      ],
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('imports with defaults from the key tags, and the key encrypts, decrypts and reports the import', async () => {
    // Prepare: a scheduled run passes only the key id; label and validity come from the tags.
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      hsmKeyLabel: 'aes-a',
      tags: [{ TagKey: TAG_VALID_FOR_DAYS, TagValue: '90' }],
    });
    const startedAt = harness.stack.clock.now();

    // Act
    const result = await harness.run({ keyId });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const output = result.output as {
      validTo: string;
      keyMaterialId: string;
      expirationModel: string;
      evidence: { method: string; checks: Array<{ name: string; passed: boolean }> };
    };
    expect(output.evidence.method).toBe('encrypt-decrypt');
    expect(output.evidence.checks.map((check) => check.name)).toEqual([
      'encrypt-decrypt-round-trip',
      'key-enabled',
      'key-material-imported',
      'expiration-model',
      'valid-to',
      'current-key-material-id',
    ]);
    const expectedValidTo = Math.floor((startedAt.getTime() + 90 * 86_400_000) / 1000) * 1000;
    // 90 days from when the run read the clock: within a minute of the test's start, even on a busy
    // machine (7 s measured under a load of 13); a wrong default would be days off.
    expect(Math.abs(new Date(output.validTo).getTime() - expectedValidTo)).toBeLessThanOrEqual(60_000);
    expect(new Date(output.validTo).getMilliseconds()).toBe(0);
    const described = await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata?.KeyState).toBe('Enabled');
    expect(described.KeyMetadata?.ExpirationModel).toBe('KEY_MATERIAL_EXPIRES');
    expect(described.KeyMetadata?.ValidTo?.toISOString()).toBe(output.validTo);
    expect(described.KeyMetadata?.CurrentKeyMaterialId).toBe(output.keyMaterialId);
    const plaintext = new TextEncoder().encode('round trip outside the workflow');
    const encrypted = await harness.deps.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
    const decrypted = await harness.deps.kms.send(
      new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }),
    );
    expect(Buffer.from(decrypted.Plaintext ?? []).toString()).toBe('round trip outside the workflow');
  });

  it('imports material that does not expire when asked, and a re-import of the same material keeps its id', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      bind: ['aes-b'],
    });
    const first = await harness.run({ keyId, hsmKeyLabel: 'aes-b', noExpiry: true });
    expect(first.status, first.cause).toBe('SUCCEEDED');

    // Act
    const second = await harness.run({
      keyId,
      hsmKeyLabel: 'aes-b',
      noExpiry: true,
      reason: 'scheduled reimport',
    });

    // Assess
    expect(second.status, second.cause).toBe('SUCCEEDED');
    const firstOutput = first.output as { keyMaterialId: string; expirationModel: string; validTo?: string };
    const secondOutput = second.output as { keyMaterialId: string; reason: string };
    expect(firstOutput.expirationModel).toBe('KEY_MATERIAL_DOES_NOT_EXPIRE');
    expect(firstOutput.validTo).toBeUndefined();
    expect(secondOutput.keyMaterialId).toBe(firstOutput.keyMaterialId);
    expect(secondOutput.reason).toBe('scheduled reimport');
    const described = await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata?.ExpirationModel).toBe('KEY_MATERIAL_DOES_NOT_EXPIRE');
  });
});
