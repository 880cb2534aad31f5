// Issue 22 item (1): the public import input asked KMS for new material. A StartExecution of
// import-key-material with "importType":"NEW_KEY_MATERIAL" put PENDING_ROTATION material into a
// managed key with no approval (one RotateKeyOnDemand then made it current). Only the rotation
// workflow may ask for new material: it says so in the step's own parameters, which an execution
// input cannot reach. Real ASL, local KMS over HTTP, real NSS token.
import { ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindOnLocalStack } from '../../helpers/bindings.ts';
import { type ImportHarness, startImportHarness, statesEntered } from '../../helpers/import-harness.ts';

describe('importType in the import execution input', () => {
  let harness: ImportHarness;
  let keyId: string;

  beforeAll(async () => {
    harness = await startImportHarness({
      keys: [
        { label: 'current', type: 'AES_256' },
        { label: 'planted', type: 'AES_256' },
      ],
    });
    keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      hsmKeyLabel: 'current',
    });
    const first = await harness.run({ keyId, validForDays: 30 });
    expect(first.status, first.cause).toBe('SUCCEEDED');
    // Even an HSM key an administrator bound to this key must not become new material without a rotation.
    const keyArn = (first.output as { keyId: string }).keyId;
    await bindOnLocalStack(harness.stack.url, 'planted', keyArn);
  }, 60_000);
  afterAll(async () => {
    await harness?.stop();
  });

  it.each([
    ['NEW_KEY_MATERIAL', { importType: 'NEW_KEY_MATERIAL', hsmKeyLabel: 'planted' }],
    ['EXISTING_KEY_MATERIAL', { importType: 'EXISTING_KEY_MATERIAL' }],
  ])('refuses importType %s with InvalidImportInputError and adds no material', async (_, extra) => {
    // Act
    const result = await harness.run({ keyId, validForDays: 30, ...extra });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidImportInputError');
    expect(result.cause).toContain('importType');
    expect(statesEntered(result)).not.toContain('ImportKeyMaterial');
    const materials = await harness.deps.kms.send(
      new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    );
    expect((materials.Rotations ?? []).map((material) => material.KeyMaterialState)).toEqual(['CURRENT']);
  });
});
