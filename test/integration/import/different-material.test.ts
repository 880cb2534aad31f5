import { DecryptCommand, DescribeKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportHarness, startImportHarness, statesEntered } from '../../helpers/import-harness.ts';

describe('import workflow, different material for a key that already has material', () => {
  let harness: ImportHarness;

  beforeAll(async () => {
    harness = await startImportHarness({
      keys: [
        { label: 'original', type: 'AES_256' },
        { label: 'impostor', type: 'AES_256' },
      ],
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('fails with IncorrectKeyMaterialException and a failure event, and the key keeps its material', async () => {
    // Prepare
    // Both bound to the key: KMS itself refuses material that is not the key's.
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      bind: ['original', 'impostor'],
    });
    const first = await harness.run({ keyId, hsmKeyLabel: 'original', validForDays: 30 });
    expect(first.status, first.cause).toBe('SUCCEEDED');
    const before = (await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    const sealed = await harness.deps.kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: new TextEncoder().encode('sealed before') }),
    );

    // Act
    const result = await harness.run({ keyId, hsmKeyLabel: 'impostor', validForDays: 60 });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('IncorrectKeyMaterialException');
    expect(statesEntered(result).slice(-6)).toEqual([
      'WrapKeyMaterial',
      'ImportKeyMaterial',
      'FindFailedKeyId',
      'KeepFailedKeyId',
      'PublishFailed',
      'ImportFailed',
    ]);
    expect(result.publishedEvents).toEqual([
      expect.objectContaining({
        source: 'byok',
        detailType: 'byok Key Material Import Failed',
        detail: expect.objectContaining({
          error: 'IncorrectKeyMaterialException',
          executionId: result.executionArn,
          // Only the keyId of the input is published (security review G2).
          input: { keyId },
        }),
      }),
    ]);
    const after = (await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    expect(after?.KeyState).toBe('Enabled');
    expect(after?.CurrentKeyMaterialId).toBe(before?.CurrentKeyMaterialId);
    expect(after?.ValidTo?.toISOString()).toBe(before?.ValidTo?.toISOString());
    const opened = await harness.deps.kms.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }));
    expect(Buffer.from(opened.Plaintext ?? []).toString()).toBe('sealed before');
  });
});
