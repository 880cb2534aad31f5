// Runs of `byok import` as rows of the Runs table, next to the Step Functions executions: the same
// columns (status, key, start, duration, error), plus what the record says KMS holds afterwards and
// the command that finishes or verifies what the run left. An interrupted run is never shown as a
// success: its status is INTERRUPTED and its KMS view (often "unverified") is said. Pure: unit-tested.
import type { ImportRun, RunSummary } from '../wire.ts';

export interface RunRow extends Omit<RunSummary, 'workflow'> {
  /** A state machine's, or `byok-import` for a run of `byok import`. */
  workflow: RunSummary['workflow'] | 'byok-import';
  /** `byok import` rows only. */
  byokImport?: {
    kms: string | null;
    next: string | null;
    host: string | null;
    lastState: string | null;
    message: string | null;
  };
}

const KMS_WORDS: Record<string, string> = {
  changed: 'KMS holds new material',
  unchanged: 'nothing changed in KMS',
  unverified: 'KMS may hold new material that was never verified',
};

export function importRunRow(run: ImportRun): RunRow {
  const start = Date.parse(run.startedAt);
  const end = Date.parse(run.endedAt);
  return {
    executionArn: `byok-import:${run.runId}`,
    name: `byok import ${run.runId.slice(0, 8)}`,
    workflow: 'byok-import',
    status: run.outcome,
    keyId: run.keyId,
    requestId: null,
    startDate: run.startedAt,
    stopDate: run.endedAt,
    durationMs: Number.isFinite(start) && Number.isFinite(end) ? end - start : null,
    error: run.outcome === 'SUCCEEDED' ? null : (run.error ?? run.outcome),
    outcome: null,
    byokImport: {
      kms: run.kms ? (KMS_WORDS[run.kms] ?? run.kms) : null,
      next: run.next ?? null,
      host: run.host ?? null,
      lastState: run.lastState ?? null,
      message: run.message ?? null,
    },
  };
}

/** Executions and `byok import` runs in one list, newest first. */
export function mergeRuns(executions: RunSummary[], importRuns: ImportRun[]): RunRow[] {
  return [...executions, ...importRuns.map(importRunRow)].sort((a, b) =>
    b.startDate.localeCompare(a.startDate),
  );
}
