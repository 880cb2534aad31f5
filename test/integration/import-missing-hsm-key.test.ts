import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportHarness, startImportHarness, statesEntered } from './import-harness.ts';

describe('import workflow, HSM key that does not exist', () => {
  let harness: ImportHarness;

  beforeAll(async () => {
    harness = await startImportHarness({ keys: [{ label: 'present', type: 'HMAC_256' }] });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('fails in the first step with HsmKeyNotFoundError naming the label and the token, before KMS is asked', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({ keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' });

    // Act
    const result = await harness.run({ keyId, hsmKeyLabel: 'absent', validForDays: 30 });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('HsmKeyNotFoundError');
    expect(result.cause).toBe(`no key labelled "absent" in token "${harness.token.hsm?.tokenLabel}"`);
    expect(statesEntered(result)).toEqual([
      'StartImport',
      'GetParametersForImport',
      'PublishFailed',
      'ImportFailed',
    ]);
    expect(result.events.filter((event) => event.type === 'StateRetried')).toHaveLength(0);
    expect(result.publishedEvents[0]?.detail).toMatchObject({ error: 'HsmKeyNotFoundError' });
    const described = await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata?.KeyState).toBe('PendingImport');
  });
});
