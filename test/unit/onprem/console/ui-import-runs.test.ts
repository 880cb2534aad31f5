// Runs of `byok import` as rows of the Runs table (src/onprem/console/ui/import-runs.ts).
import { describe, expect, it } from 'vitest';
import { importRunRow, mergeRuns } from '../../../../src/onprem/console/ui/import-runs.ts';
import type { RunSummary } from '../../../../src/onprem/console/wire.ts';

const RUN_ID = '0b7d4c55-9a2e-4f50-8a1e-3f2c9a1e5b1d';

describe('byok import runs on the Runs page', () => {
  it('shows an interrupted run as INTERRUPTED with its signal, what KMS holds and the next command', () => {
    // Act
    const row = importRunRow({
      runId: RUN_ID,
      keyId: 'k',
      target: 'eu-west-1',
      startedAt: '2026-12-07T10:00:00.000Z',
      endedAt: '2026-12-07T10:00:02.500Z',
      outcome: 'INTERRUPTED',
      kms: 'unverified',
      error: 'SIGTERM',
      next: 'byok import --key-id k',
    });

    // Assess
    expect(row).toMatchObject({
      workflow: 'byok-import',
      status: 'INTERRUPTED',
      error: 'SIGTERM',
      durationMs: 2500,
      byokImport: {
        kms: 'KMS may hold new material that was never verified',
        next: 'byok import --key-id k',
      },
    });
  });

  it('merges executions and byok import runs newest first', () => {
    // Prepare
    const execution = { executionArn: 'arn:x', startDate: '2026-12-07T09:30:00.000Z' } as RunSummary;

    // Act
    const rows = mergeRuns(
      [execution],
      [
        {
          runId: RUN_ID,
          keyId: 'k',
          target: 't',
          startedAt: '2026-12-07T10:00:00.000Z',
          endedAt: '2026-12-07T10:00:01.000Z',
          outcome: 'SUCCEEDED',
        },
      ],
    );

    // Assess
    expect(rows.map((row) => row.executionArn)).toEqual([`byok-import:${RUN_ID}`, 'arn:x']);
    expect(rows[0]?.error).toBeNull();
  });
});
