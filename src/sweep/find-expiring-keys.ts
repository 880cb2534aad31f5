// The sweep's first step: which managed keys need their material imported again now, in which
// order, and when each import may start.
import type { KMSClient } from '@aws-sdk/client-kms';
import type { Clock } from '../clock.ts';
import {
  type DueKey,
  type FindExpiringKeysOutput,
  MAX_SKIPPED_LISTED,
  type SkippedKey,
  type SweepInput,
} from './contracts.ts';
import { compareUrgency, decideDue } from './due-policy.ts';
import { type ManagedKey, scanManagedKeys } from './managed-keys.ts';
import { slotStart } from './pacing.ts';

export interface FindExpiringKeysDeps {
  kms: KMSClient;
  /** Decides what is due (the local stack's virtual clock, or the system clock in Lambda). */
  clock: Clock;
  /** Real time, for the pacing slots: request quotas are counted in real time. */
  pacingClock: Clock;
  /** GetParametersForImport requests per import (2 when `byok worker` asks KMS itself); default 1. */
  requestsPerImport?: number | undefined;
}

export async function findExpiringKeys(
  deps: FindExpiringKeysDeps,
  input: SweepInput,
): Promise<FindExpiringKeysOutput> {
  const scan = await scanManagedKeys(deps.kms);
  const now = deps.clock.now();
  const due: { key: ManagedKey; reason: DueKey['reason'] }[] = [];
  const skipped: SkippedKey[] = [...scan.unreadable];
  for (const key of scan.keys) {
    const decision = decideDue(key, now, input.leadWindowDays);
    if (decision.kind === 'due') due.push({ key, reason: decision.reason });
    else if (decision.kind === 'skip') skipped.push({ keyId: key.keyId, why: decision.why });
  }
  due.sort((a, b) => compareUrgency(a.key, b.key));
  const taken = due.slice(0, input.maxKeys);
  const start = deps.pacingClock.now();
  const pacing = {
    perSecond: input.getParametersForImportPerSecond,
    share: input.quotaShare,
    requestsPerImport: deps.requestsPerImport,
  };
  const sweepId = sweepIdFor(now);
  return {
    sweepId,
    checkedAt: now.toISOString(),
    managedKeys: scan.keys.length + scan.unreadable.length,
    keys: taken.map(({ key, reason }, index) => ({
      keyId: key.keyId,
      keyArn: key.keyArn,
      reason,
      ...(key.validTo ? { validTo: key.validTo.toISOString() } : {}),
      notBefore: slotStart(start, index, pacing).toISOString(),
      importReason: importReasonFor(sweepId, reason, key.validTo),
    })),
    skipped: skipped.slice(0, MAX_SKIPPED_LISTED),
    skippedCount: skipped.length,
    deferred: due.length - taken.length,
  };
}

/** `20261127T030000Z`: sortable, and safe inside a Step Functions execution name. */
export function sweepIdFor(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function importReasonFor(sweepId: string, reason: DueKey['reason'], validTo: Date | undefined): string {
  if (reason === 'pending-import')
    return `byok sweep ${sweepId}: the key has no key material (PendingImport)`;
  return `byok sweep ${sweepId}: key material expires ${validTo?.toISOString() ?? 'soon'}`;
}
