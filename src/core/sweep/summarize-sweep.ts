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
  const unread = found.unreadCount ?? found.skipped.filter((key) => key.error).length;
  const outcomeReason = partialReason(unread, found.skipped, [...refused, ...failures]);
  // The Map keeps the order of its items: result i is the import of due material i.
  const done = new Set(
    found.keys.flatMap((key, index) =>
      results[index]?.status === 'SUCCEEDED'
        ? [materialKey(key.keyId, key.region, key.importInput.keyMaterialId)]
        : [],
    ),
  );
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
    outcome: outcomeReason ? 'PARTIAL' : 'COMPLETE',
    unread,
    ...(outcomeReason ? { outcomeReason } : {}),
    ...(found.target
      ? {
          target: found.target,
          materials: (found.materialsSeen ?? []).map((material) => ({
            ...material,
            reimported: done.has(materialKey(material.keyId, material.region, material.keyMaterialId)),
          })),
        }
      : {}),
  };
}

/** `3 keys could not be read (ThrottlingException); 1 import failed (HsmKeyNotFoundError)`, or none. */
function partialReason(
  unread: number,
  skipped: SummarizeSweepInput['found']['skipped'],
  failures: { error: string }[],
): string | undefined {
  const parts: string[] = [];
  const names = (errors: (string | undefined)[]) =>
    [...new Set(errors.filter((name): name is string => Boolean(name)))].sort().join(', ');
  if (unread > 0) {
    const why = names(skipped.map((key) => key.error));
    parts.push(`${unread} ${unread === 1 ? 'key' : 'keys'} could not be read${why ? ` (${why})` : ''}`);
  }
  if (failures.length > 0) {
    parts.push(
      `${failures.length} ${failures.length === 1 ? 'import' : 'imports'} failed (${names(failures.map((failure) => failure.error))})`,
    );
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function materialKey(keyId: string, region: string, keyMaterialId: string | undefined): string {
  return `${keyId}/${region}/${keyMaterialId ?? ''}`;
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
