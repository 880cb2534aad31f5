// The sweep's report: what was due, what was reimported, what failed and why. It is the detail of
// the event the sweep publishes (source byok), so it carries ids, counts and error names only.
import type { SummarizeSweepInput, SweepReport } from './contracts.ts';

const MAX_CAUSE_LENGTH = 512;

export function summarizeSweep({ found, results }: SummarizeSweepInput): SweepReport {
  const failures = results.flatMap((result) =>
    result.status === 'FAILED'
      ? [
          {
            keyId: result.keyId,
            error: result.error ?? 'States.TaskFailed',
            cause: shortCause(result.cause),
          },
        ]
      : [],
  );
  const reimported = results.flatMap((result) => (result.status === 'SUCCEEDED' ? [result.keyId] : []));
  // Due materials refused before any import (no binding) are failures too: the alert rule fires.
  const refused = found.refused ?? [];
  const refusedCount = found.refusedCount ?? refused.length;
  return {
    sweepId: found.sweepId,
    checkedAt: found.checkedAt,
    managedKeys: found.managedKeys,
    due: found.keys.length + found.deferred + refusedCount,
    succeeded: reimported.length,
    failed: failures.length + refusedCount,
    deferred: found.deferred,
    skipped: found.skipped,
    skippedCount: found.skippedCount,
    failures: [...refused, ...failures],
    reimported,
  };
}

/**
 * A nested execution's Cause is the child's whole DescribeExecution JSON; the report keeps the
 * child's own error and cause when it can find them.
 */
function shortCause(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { Error?: unknown; Cause?: unknown };
    if (typeof parsed.Error === 'string') {
      const inner = typeof parsed.Cause === 'string' ? `: ${parsed.Cause}` : '';
      return truncate(`${parsed.Error}${inner}`);
    }
  } catch {
    // Not JSON: keep the text as it is.
  }
  return truncate(cause);
}

function truncate(text: string): string {
  return text.length > MAX_CAUSE_LENGTH ? `${text.slice(0, MAX_CAUSE_LENGTH - 1)}…` : text;
}
