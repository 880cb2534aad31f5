// `byok status`: every managed key, how long its material has left, when the sweep will reimport
// it, and how its last import went, most urgent first. Keys without material are flagged. Each key
// lists its materials (every material of a rotated key, in every Region of a multi-Region key):
// id, HSM key, state, valid to, Region, and when the sweep will reimport each.

import type { KMSClient } from '@aws-sdk/client-kms';
import { DescribeExecutionCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { findStateMachine } from '../aws/paginate-sfn.ts';
import type { Clock } from '../clock.ts';
import type { KmsForRegion } from '../import/regional-kms.ts';
import { type DueDecision, decideDue } from './due-policy.ts';
import type { MaterialUnit } from './key-materials.ts';
import { type ManagedKey, scanManagedKeys } from './managed-keys.ts';
import type { KeyStatus, LastRun, LastSweep, MaterialStatus, StatusReport } from './status-report.ts';

export type { KeyStatus, LastRun, LastSweep, StatusReport } from './status-report.ts';

/** Last import result per key id (bare id, not ARN). */
export type LastRuns = Map<string, LastRun>;

/** A sweep report (event detail or execution output) as LastSweep; reports before `outcome` too. */
function lastSweepOf(report: unknown): LastSweep | undefined {
  if (!report || typeof report !== 'object') return undefined;
  const r = report as Record<string, unknown>;
  if (typeof r.sweepId !== 'string' || typeof r.checkedAt !== 'string') return undefined;
  const count = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  const skipped = Array.isArray(r.skipped) ? (r.skipped as Record<string, unknown>[]) : [];
  const failures = Array.isArray(r.failures) ? (r.failures as Record<string, unknown>[]) : [];
  const failed = count(r.failed);
  const unreadKeys = skipped
    .filter((key) => typeof key.error === 'string')
    .map((key) => ({ keyId: String(key.keyId), error: String(key.error), why: String(key.why ?? '') }));
  const unread = typeof r.unread === 'number' ? r.unread : unreadKeys.length;
  return {
    sweepId: r.sweepId,
    checkedAt: r.checkedAt,
    outcome:
      r.outcome === 'PARTIAL' || r.outcome === 'COMPLETE'
        ? r.outcome
        : failed > 0 || unread > 0
          ? 'PARTIAL'
          : 'COMPLETE',
    outcomeReason: typeof r.outcomeReason === 'string' ? r.outcomeReason : null,
    due: count(r.due),
    succeeded: count(r.succeeded),
    failed,
    unread,
    unreadKeys,
    failures: failures.map((failure) => ({ keyId: String(failure.keyId), error: String(failure.error) })),
  };
}

/** The last sweep report put on the local stack's bus (`byok Reimport Sweep Completed`). */
async function lastSweepFromLocalEvents(endpoint: string): Promise<LastSweep | undefined> {
  const response = await fetch(
    new URL('/_byok/events?source=byok&detailType=byok%20Reimport%20Sweep%20Completed', endpoint),
    { signal: AbortSignal.timeout(5000) },
  );
  if (!response.ok) return undefined;
  const view = (await response.json()) as { events?: { time?: string; detail?: unknown }[] };
  const events = [...(view.events ?? [])].sort((a, b) => String(a.time).localeCompare(String(b.time)));
  return lastSweepOf(events.at(-1)?.detail);
}

/**
 * The sweep state machine's most recent execution that ended: its report when it SUCCEEDED, else
 * a FAILED sweep with how it ended. (It read the most recent SUCCEEDED one only, so after a sweep
 * that failed, `byok status` showed the one before as the last sweep, complete.)
 */
async function lastSweepFromStepFunctions(sfn: SFNClient): Promise<LastSweep | undefined> {
  const arn = (
    await findStateMachine(sfn, (machine) => machine.name?.endsWith('reimport-expiring-keys') === true)
  )?.stateMachineArn;
  if (!arn) return undefined;
  // Newest first; the running ones (today's sweep under way) are not the last sweep yet.
  const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 20 }));
  const latest = listed.executions?.find(
    (execution) => execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE',
  );
  if (!latest?.executionArn) return undefined;
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn: latest.executionArn }));
  if (described.status !== 'SUCCEEDED') return failedSweep(described);
  try {
    return lastSweepOf(JSON.parse(described.output ?? 'null'));
  } catch {
    return undefined;
  }
}

/** A sweep whose execution did not succeed: no report, nothing known to be reimported. */
function failedSweep(described: {
  name?: string | undefined;
  status?: string | undefined;
  error?: string | undefined;
  cause?: string | undefined;
  startDate?: Date | undefined;
  stopDate?: Date | undefined;
}): LastSweep {
  const cause = (described.cause ?? '').slice(0, 200);
  return {
    sweepId: described.name ?? 'unknown',
    checkedAt: (described.stopDate ?? described.startDate ?? new Date(0)).toISOString(),
    outcome: 'FAILED',
    outcomeReason: `the sweep's execution ended ${described.status ?? 'UNKNOWN'}${
      described.error ? ` (${described.error}${cause ? `: ${cause}` : ''})` : ''
    }: no key is known to have been reimported by it`,
    due: 0,
    succeeded: 0,
    failed: 0,
    unread: 0,
    unreadKeys: [],
    failures: [],
  };
}

/**
 * The last sweep's report, best effort (undefined when none can be read): the sweep's executions;
 * against the local stack (`endpoint`) also the bus's events, which show sweeps run in-process (the
 * simulation) but are not kept over a restart of `byok local up`: the later of the two.
 */
export async function lastSweepOfStack(sfn: SFNClient, endpoint?: string): Promise<LastSweep | undefined> {
  const fromExecutions = await lastSweepFromStepFunctions(sfn).catch(() => undefined);
  if (!endpoint) return fromExecutions;
  const fromEvents = await lastSweepFromLocalEvents(endpoint).catch(() => undefined);
  if (!fromExecutions || !fromEvents) return fromExecutions ?? fromEvents;
  return Date.parse(fromEvents.checkedAt) > Date.parse(fromExecutions.checkedAt)
    ? fromEvents
    : fromExecutions;
}

export async function collectStatus(deps: {
  kms: KMSClient;
  kmsForRegion?: KmsForRegion | undefined;
  clock: Clock;
  leadWindowDays: number;
  lastRuns: LastRuns;
}): Promise<StatusReport> {
  const scan = await scanManagedKeys(deps);
  const now = deps.clock.now();
  const keys = scan.keys.map((key) => statusOf(key, now, deps.leadWindowDays, deps.lastRuns.get(key.keyId)));
  keys.sort(byUrgency);
  return {
    checkedAt: now.toISOString(),
    leadWindowDays: deps.leadWindowDays,
    keys,
    unreadable: scan.unreadable,
  };
}

function statusOf(
  key: ManagedKey,
  now: Date,
  leadWindowDays: number,
  lastRun: LastRun | undefined,
): KeyStatus {
  const keyDecision = decideDue(key, now, leadWindowDays, key.validForDays);
  const materials = key.materials
    .map((unit) => materialStatusOf(unit, decideDue(unit, now, leadWindowDays, key.validForDays), now))
    .sort(byMaterialUrgency);
  // The key is as urgent as its most urgent material in any Region.
  const decision: DueDecision = materials.some((material) => material.nextDue === 'now')
    ? { kind: 'due', reason: 'expiring' }
    : keyDecision.kind === 'not-due' && materials.length > 0
      ? { kind: 'not-due', nextDueAt: earliest(materials.map((material) => material.nextDue)) }
      : keyDecision;
  const withoutMaterial =
    key.keyState === 'PendingImport' ||
    materials.some((material) => material.importState === 'PENDING_IMPORT');
  return {
    keyId: key.keyId,
    description: key.description ?? null,
    keySpec: key.keySpec,
    hsmKeyLabel: key.hsmKeyLabel ?? null,
    keyState: key.keyState,
    validTo: key.validTo?.toISOString() ?? null,
    secondsLeft: key.validTo ? Math.floor((key.validTo.getTime() - now.getTime()) / 1000) : null,
    withoutMaterial,
    nextDue:
      decision.kind === 'due'
        ? 'now'
        : decision.kind === 'not-due'
          ? (decision.nextDueAt?.toISOString() ?? null)
          : null,
    note:
      decision.kind === 'skip'
        ? decision.why
        : withoutMaterial
          ? 'no key material: every use of the key fails'
          : null,
    lastRun: lastRun ?? null,
    materials,
  };
}

function materialStatusOf(unit: MaterialUnit, decision: DueDecision, now: Date): MaterialStatus {
  return {
    keyMaterialId: unit.keyMaterialId ?? null,
    region: unit.region,
    role: unit.role,
    hsmKeyLabel: unit.hsmKeyLabel ?? null,
    checkValue: unit.checkValue ?? null,
    state: unit.materialState,
    importState: unit.importState,
    validTo: unit.validTo?.toISOString() ?? null,
    secondsLeft: unit.validTo ? Math.floor((unit.validTo.getTime() - now.getTime()) / 1000) : null,
    nextDue: nextDueOf(decision),
    note: decision.kind === 'skip' ? decision.why : null,
  };
}

function nextDueOf(decision: DueDecision): string | null {
  if (decision.kind === 'due') return 'now';
  if (decision.kind === 'not-due') return decision.nextDueAt?.toISOString() ?? null;
  return null;
}

function earliest(dates: (string | null)[]): Date | undefined {
  const known = dates.filter((date): date is string => date !== null && date !== 'now').sort();
  return known[0] ? new Date(known[0]) : undefined;
}

function byMaterialUrgency(a: MaterialStatus, b: MaterialStatus): number {
  const rank = (material: MaterialStatus) =>
    material.importState === 'PENDING_IMPORT' ? 0 : material.nextDue === 'now' ? 1 : 2;
  const left = (material: MaterialStatus) => material.secondsLeft ?? Number.POSITIVE_INFINITY;
  return rank(a) - rank(b) || left(a) - left(b) || a.region.localeCompare(b.region);
}

function urgencyRank(key: KeyStatus): number {
  if (key.withoutMaterial) return 0;
  if (key.nextDue === 'now') return 1;
  if (key.validTo) return 2;
  return 3;
}

function byUrgency(a: KeyStatus, b: KeyStatus): number {
  const rank = urgencyRank(a) - urgencyRank(b);
  if (rank !== 0) return rank;
  const left = (key: KeyStatus) => key.secondsLeft ?? Number.POSITIVE_INFINITY;
  return left(a) - left(b) || a.keyId.localeCompare(b.keyId);
}

const KEY_ID_IN =
  /(mrk-[0-9a-f]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

function bareKeyId(keyIdOrArn: unknown): string | undefined {
  return typeof keyIdOrArn === 'string' ? KEY_ID_IN.exec(keyIdOrArn)?.[1] : undefined;
}

function remember(runs: LastRuns, keyId: string | undefined, run: LastRun): void {
  if (!keyId) return;
  const known = runs.get(keyId);
  if (!known || known.at < run.at) runs.set(keyId, run);
}

/**
 * The local stack keeps the events put on its bus: the import workflow's success and failure
 * events (source byok) say how each key's last import went.
 */
async function lastRunsFromLocalEvents(endpoint: string): Promise<LastRuns> {
  const runs: LastRuns = new Map();
  const response = await fetch(new URL('/_byok/events?source=byok', endpoint), {
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) return runs;
  const view = (await response.json()) as {
    events?: { 'detail-type'?: string; time?: string; detail?: Record<string, unknown> }[];
  };
  for (const event of view.events ?? []) {
    const detail = event.detail ?? {};
    const at = event.time ?? '';
    if (event['detail-type'] === 'byok Key Material Imported') {
      remember(runs, bareKeyId(detail.keyId), { result: 'SUCCEEDED', at });
    } else if (event['detail-type'] === 'byok Key Material Import Failed') {
      const input = detail.input as { keyId?: unknown } | undefined;
      remember(runs, bareKeyId(input?.keyId), { result: 'FAILED', at, error: String(detail.error ?? '') });
    }
  }
  return runs;
}

/** What a local stack without the Step Functions API answers its calls. */
const LOCAL_STEP_FUNCTIONS_ABSENT = 'UnknownOperationException';

/**
 * The local stack: its import state machine's executions (kept in its state dir, so they survive
 * a restart of `byok local up`, unlike the events on its bus), then the byok events on its bus for
 * runs no execution lists (a run started in-process, as the simulation does): per key the latest,
 * the execution's record for the run both show (its event is timed in whole seconds, before the
 * execution's stop).
 */
export async function lastRunsFromLocalStack(endpoint: string, sfn: SFNClient): Promise<LastRuns> {
  const runs = await lastRunsFromStepFunctions(sfn).catch((error: unknown) => {
    // A stack composed without the Step Functions API (the simulation's): the events say it all.
    if (error instanceof Error && error.name === LOCAL_STEP_FUNCTIONS_ABSENT) return new Map() as LastRuns;
    throw error;
  });
  for (const [keyId, run] of await lastRunsFromLocalEvents(endpoint)) {
    const known = runs.get(keyId);
    if (!known || Date.parse(run.at) > Date.parse(known.at)) runs.set(keyId, run);
  }
  return runs;
}

/**
 * On AWS: the import state machine's recent executions (the last 100), read with
 * DescribeExecution for the key id in their input.
 */
export async function lastRunsFromStepFunctions(sfn: SFNClient, stateMachineArn?: string): Promise<LastRuns> {
  const runs: LastRuns = new Map();
  const arn = stateMachineArn ?? (await findImportStateMachine(sfn));
  if (!arn) return runs;
  const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn, maxResults: 100 }));
  for (const execution of listed.executions ?? []) {
    if (!execution.executionArn || execution.status === 'RUNNING') continue;
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
    let keyId: string | undefined;
    try {
      keyId = bareKeyId((JSON.parse(described.input ?? '{}') as { keyId?: unknown }).keyId);
    } catch {
      keyId = undefined;
    }
    remember(runs, keyId, {
      result: described.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
      at: (described.stopDate ?? described.startDate ?? new Date(0)).toISOString(),
      ...(described.error ? { error: described.error } : {}),
    });
  }
  return runs;
}

async function findImportStateMachine(sfn: SFNClient): Promise<string | undefined> {
  const found = await findStateMachine(
    sfn,
    (machine) =>
      machine.name?.endsWith('import-key-material') === true && machine.stateMachineArn !== undefined,
  );
  return found?.stateMachineArn;
}

/** `3d 4h`, `5h 12m`, `-2h 5m` (past). */
export function formatTimeLeft(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  let rest = Math.abs(seconds);
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3600);
  const minutes = Math.floor((rest - hours * 3600) / 60);
  if (days > 0) return `${sign}${days}d ${hours}h`;
  if (hours > 0) return `${sign}${hours}h ${minutes}m`;
  return `${sign}${minutes}m`;
}
