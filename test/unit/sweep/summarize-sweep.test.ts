import { describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/summarize-sweep.ts';
import type { FindExpiringKeysOutput } from '../../../src/sweep/contracts.ts';
import { InvalidSweepInputError } from '../../../src/sweep/errors.ts';

const found: FindExpiringKeysOutput = {
  sweepId: '20260601T030000Z',
  checkedAt: '2026-06-01T03:00:00.000Z',
  managedKeys: 4,
  keys: ['k-1', 'k-2', 'k-3'].map((keyId) => ({
    keyId,
    keyArn: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`,
    reason: 'expiring' as const,
    notBefore: '2026-06-01T03:00:00.000Z',
    importReason: 'test',
  })),
  skipped: [{ keyId: 'k-4', why: 'the key is disabled; an import would enable it again' }],
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
});
