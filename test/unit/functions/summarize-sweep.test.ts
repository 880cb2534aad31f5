import { describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/summarize-sweep.ts';
import { type FindExpiringKeysOutput, MAX_SKIPPED_LISTED } from '../../../src/core/sweep/contracts.ts';
import { InvalidSweepInputError } from '../../../src/core/sweep/errors.ts';

const found: FindExpiringKeysOutput = {
  sweepId: '20260601T030000Z',
  checkedAt: '2026-06-01T03:00:00.000Z',
  managedKeys: 4,
  keys: ['k-1', 'k-2', 'k-3'].map((keyId) => ({
    keyId,
    region: 'us-east-1',
    reason: 'expiring' as const,
    notBefore: '2026-06-01T03:00:00.000Z',
    executionName: `reimport-${keyId}-20260601T030000Z`,
    importInput: {
      keyId: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`,
      hsmKeyLabel: `hsm-${keyId}`,
      importReplicas: false as const,
      reason: 'test',
    },
  })),
  skipped: [{ keyId: 'k-4', why: 'the key is disabled; an import would enable it again' }],
  skippedCount: 1,
  deferred: 1,
};

describe('SummarizeSweep', () => {
  it('counts successes and failures and keeps the child execution error and cause', async () => {
    // Prepare
    const childFailure = JSON.stringify({
      Status: 'FAILED',
      Error: 'HsmKeyNotFoundError',
      Cause: 'no key labelled hsm-k-2 on token byok',
    });

    // Act
    const report = await createHandler()({
      found,
      results: [
        { keyId: 'k-1', status: 'SUCCEEDED', executionArn: 'arn:exec:1' },
        { keyId: 'k-2', status: 'FAILED', error: 'States.TaskFailed', cause: childFailure },
        { keyId: 'k-3', status: 'SUCCEEDED', executionArn: 'arn:exec:3' },
      ],
    });

    // Assess
    expect(report).toMatchObject({
      due: 4,
      succeeded: 2,
      failed: 1,
      deferred: 1,
      reimported: ['k-1', 'k-3'],
    });
    expect(report.failures).toEqual([
      {
        keyId: 'k-2',
        error: 'States.TaskFailed',
        cause: 'HsmKeyNotFoundError: no key labelled hsm-k-2 on token byok',
      },
    ]);
    expect(report.skipped).toEqual(found.skipped);
  });

  it('truncates a long cause that is not JSON', async () => {
    // Act
    const report = await createHandler()({
      found,
      results: [{ keyId: 'k-1', status: 'FAILED', error: 'States.Timeout', cause: 'x'.repeat(5000) }],
    });

    // Assess
    expect(report.failures[0]?.cause.length).toBe(512);
  });

  it('rejects a result without a status', async () => {
    // Act
    const run = createHandler()({ found, results: [{ keyId: 'k-1' }] });

    // Assess
    await expect(run).rejects.toBeInstanceOf(InvalidSweepInputError);
  });

  it('keeps the largest sweep state (200 materials, every one failed) under the 256 KiB payload limit', async () => {
    // Prepare: the longest key ids, ARNs, material ids and HSM labels, realistic child causes.
    const keys = Array.from({ length: 200 }, (_, i) => {
      const keyId = `mrk-${i.toString(16).padStart(32, '0')}`;
      const keyArn = `arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/${keyId}`;
      const keyMaterialId = i.toString(16).padStart(64, 'f');
      const hsmKeyLabel = `hsm-${'x'.repeat(60)}`;
      const importReason = `byok sweep 20260601T030000Z: us-gov-west-1 material ${keyMaterialId.slice(0, 12)} expires 2026-06-10T03:00:00.000Z`;
      return {
        keyId,
        region: 'us-gov-west-1',
        reason: 'expiring' as const,
        validTo: '2026-06-10T03:00:00.000Z',
        notBefore: '2026-06-01T03:04:10.250Z',
        executionName: `reimport-${keyId}-0123abcd-20260601T030000Z`,
        importInput: {
          keyId: keyArn,
          hsmKeyLabel,
          keyMaterialId,
          importReplicas: false as const,
          reason: importReason,
        },
      };
    });
    const skipped = Array.from({ length: MAX_SKIPPED_LISTED }, (_, i) => ({
      keyId: `mrk-${(1000 + i).toString(16).padStart(32, '0')}`,
      why: 'the key is pending deletion',
    }));
    const big: FindExpiringKeysOutput = {
      ...found,
      keys,
      skipped,
      skippedCount: 1800,
      managedKeys: 2000,
      deferred: 0,
    };
    const results = keys.map((key) => ({
      keyId: key.keyId,
      status: 'FAILED' as const,
      error: 'HsmUnavailableError',
      cause: `the HSM did not answer: CKR_DEVICE_ERROR from C_WrapKey on token "byok-production" ${'x'.repeat(200)}`,
    }));

    // Act
    const report = await createHandler()({ found: big, results });

    // Assess: SummarizeSweep's input is the largest payload of the execution; its result (the
    // report) replaces the state, so PublishSweepReport's input is the report alone.
    expect(Buffer.byteLength(JSON.stringify({ found: big, results }))).toBeLessThan(256 * 1024);
    expect(Buffer.byteLength(JSON.stringify(report))).toBeLessThan(256 * 1024);
  });

  it('names a sweep that could not read some keys PARTIAL, never a plain success with due 0', async () => {
    // Prepare: nothing due, but two keys were throttled while being read
    const throttled: FindExpiringKeysOutput = {
      ...found,
      keys: [],
      deferred: 0,
      skipped: [
        { keyId: 'k-5', why: 'Rate exceeded', error: 'ThrottlingException' },
        { keyId: 'k-6', why: 'Rate exceeded', error: 'ThrottlingException' },
        ...found.skipped,
      ],
      skippedCount: 3,
      unreadCount: 2,
    };

    // Act
    const report = await createHandler()({ found: throttled, results: [] });

    // Assess
    expect(report).toMatchObject({
      due: 0,
      failed: 0,
      outcome: 'PARTIAL',
      unread: 2,
      outcomeReason: '2 keys could not be read (ThrottlingException)',
    });
  });

  it('names a sweep with a failed import PARTIAL, and one that covered everything COMPLETE', async () => {
    // Act
    const failed = await createHandler()({
      found,
      results: [
        { keyId: 'k-1', status: 'SUCCEEDED' },
        { keyId: 'k-2', status: 'FAILED', error: 'HsmKeyNotFoundError' },
        { keyId: 'k-3', status: 'SUCCEEDED' },
      ],
    });
    const complete = await createHandler()({
      found,
      results: ['k-1', 'k-2', 'k-3'].map((keyId) => ({ keyId, status: 'SUCCEEDED' as const })),
    });

    // Assess
    expect(failed).toMatchObject({
      outcome: 'PARTIAL',
      outcomeReason: '1 import failed (HsmKeyNotFoundError)',
    });
    expect(complete).toMatchObject({ outcome: 'COMPLETE', unread: 0 });
    expect(complete.outcomeReason).toBeUndefined();
  });
});
