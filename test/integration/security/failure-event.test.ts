// Security review G2, through the real ASL: the failure event (which the deployed AlertRule sends
// to SNS and e-mail) carries the execution id, the error, its cause and the input's keyId, and
// nothing else of the input. Before the fix it published the execution input as given, so a stray
// field holding key material reached the event.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportHarness, startImportHarness } from '../../helpers/import-harness.ts';
import { expectNoSecret } from '../../helpers/secret-scan.ts';

describe('import workflow failure event', () => {
  let harness: ImportHarness;
  let keyId: string;

  beforeAll(async () => {
    harness = await startImportHarness({ keys: [{ label: 'aes', type: 'AES_256' }] });
    keyId = await harness.createExternalKey({ keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT' });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('publishes only executionId, error, cause and keyId when a stray field holds key material', async () => {
    // Prepare
    const material = randomBytes(32);
    const input = {
      keyId,
      hsmKeyLabel: 'aes',
      keyMaterial: material.toString('hex'),
      notes: { privateKey: material.toString('base64') },
    };

    // Act
    const result = await harness.run(input);

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('InvalidImportInputError');
    expect(result.publishedEvents).toHaveLength(1);
    const detail = (result.publishedEvents[0]?.detail ?? {}) as Record<string, unknown>;
    expect(Object.keys(detail).sort()).toEqual(['cause', 'error', 'executionId', 'input']);
    expect(detail).toMatchObject({ executionId: result.executionArn, error: 'InvalidImportInputError' });
    expect(detail.input).toEqual({ keyId });
    expect(detail.cause).toContain('keyMaterial');
    expectNoSecret(JSON.stringify(result.publishedEvents), material, 'published events');
  });

  it('publishes keyId null, and no other field, when the input has no keyId', async () => {
    // Prepare
    const material = randomBytes(32);

    // Act
    const result = await harness.run({ hsmKeyLabel: 'aes', secret: material.toString('hex') });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.publishedEvents).toHaveLength(1);
    const detail = (result.publishedEvents[0]?.detail ?? {}) as Record<string, unknown>;
    expect(detail.input).toEqual({ keyId: null });
    expectNoSecret(JSON.stringify(result.publishedEvents), material, 'published events');
  });
});
