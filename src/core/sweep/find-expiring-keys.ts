// The sweep's first step: which materials of the managed keys need importing again now (each
// material of each key in each Region: src/core/sweep/key-materials.ts), in which order, and when each
// import may start. Quotas are per Region, so each Region's imports get their own pacing slots.
import { createHash } from 'node:crypto';
import { HsmKeyNotBoundError } from '../bindings/errors.ts';
import type { BindingsReader } from '../bindings/port.ts';
import { indexBindings, isBound } from '../bindings/rules.ts';
import type { Clock } from '../clock.ts';
import { FleetConfigurationError } from '../fleet/errors.ts';
import { classifySpokeError } from '../fleet/failures.ts';
import type { RegionalKmsDeps } from '../import/regional-kms.ts';
import {
  type DueKey,
  type FindExpiringKeysOutput,
  MAX_MATERIALS_LISTED,
  MAX_SKIPPED_LISTED,
  type MaterialSeen,
  type RefusedKey,
  type SkippedKey,
  type SweepInput,
} from './contracts.ts';
import { compareUrgency, decideDue } from './due-policy.ts';
import type { MaterialUnit } from './key-materials.ts';
import { scanManagedKeys } from './managed-keys.ts';
import { slotStart } from './pacing.ts';

export interface FindExpiringKeysDeps extends RegionalKmsDeps {
  /** The administrators' bindings: due materials whose HSM key is not bound to the key are refused. */
  bindings: BindingsReader;
  /** Decides what is due (the local stack's virtual clock, or the system clock in Lambda). */
  clock: Clock;
  /** Real time, for the pacing slots: request quotas are counted in real time. */
  pacingClock: Clock;
  /** GetParametersForImport requests per import (2 when `byok worker` asks KMS itself); default 1. */
  requestsPerImport?: number | undefined;
  /** The spoke role of an account, named in the errors of a fleet's pair. */
  roleArnOf?: ((accountId: string) => string) | undefined;
}

/** The KMS clients a sweep scans with: its own, or those of the fleet pair it was given. */
function scanDeps(deps: FindExpiringKeysDeps, input: SweepInput): RegionalKmsDeps {
  const target = input.target;
  if (!target) return deps;
  const kmsForAccount = deps.kmsForAccount;
  if (!kmsForAccount) {
    throw new FleetConfigurationError(
      `this sweep cannot reach account ${target.accountId}: fleet mode is off`,
      {
        hint: 'deploy the hub with --param="fleetMode=true"',
      },
    );
  }
  return {
    kms: kmsForAccount(target.accountId, target.region),
    kmsForRegion: (region) => kmsForAccount(target.accountId, region),
    kmsForAccount,
  };
}

export async function findExpiringKeys(
  deps: FindExpiringKeysDeps,
  input: SweepInput,
): Promise<FindExpiringKeysOutput> {
  const target = input.target;
  const scan = await scanManagedKeys(scanDeps(deps, input)).catch((error: unknown) => {
    if (!target) throw error;
    // A pair that cannot be reached fails by name: AccessDenied on AssumeRole, Region not enabled or silent, throttled.
    throw classifySpokeError(
      error,
      target.accountId,
      target.region,
      deps.roleArnOf?.(target.accountId) ?? `the spoke role of ${target.accountId}`,
    );
  });
  const now = deps.clock.now();
  const due: { unit: MaterialUnit; reason: DueKey['reason'] }[] = [];
  const skipped: SkippedKey[] = [...scan.unreadable];
  let materials = 0;
  for (const key of scan.keys) {
    if (key.materials.length === 0) {
      // A key that never held material (or whose material cannot be listed): the key decides.
      const decision = decideDue(key, now, input.leadWindowDays, key.validForDays);
      if (decision.kind === 'skip') skipped.push({ keyId: key.keyId, why: decision.why });
      else if (decision.kind === 'due') due.push({ unit: unitOfKey(key), reason: decision.reason });
      continue;
    }
    for (const unit of key.materials) {
      materials += 1;
      const decision = decideDue(unit, now, input.leadWindowDays, key.validForDays);
      if (decision.kind === 'due') due.push({ unit, reason: decision.reason });
      else if (decision.kind === 'skip')
        skipped.push({ keyId: key.keyId, why: `${where(unit)}: ${decision.why}` });
    }
  }
  // Only what an administrator bound is imported; the rest is refused here, before any execution
  // starts, and reported as a failure (the sweep's alert). One listing serves every key.
  const index = indexBindings(due.length > 0 ? await deps.bindings.list() : []);
  const refused: RefusedKey[] = [];
  const bound = due.filter(({ unit }) => {
    const rulingArn = scan.keys.find((key) => key.keyId === unit.keyId)?.keyArn ?? unit.keyArn;
    const query = {
      hsmKeyLabel: unit.hsmKeyLabel ?? '',
      keyArn: rulingArn,
      rotationLabels: scan.keys.find((key) => key.keyId === unit.keyId)?.keySpec === 'SYMMETRIC_DEFAULT',
    };
    if (unit.hsmKeyLabel !== undefined && isBound(index, query)) return true;
    const refusal = new HsmKeyNotBoundError(
      query.hsmKeyLabel || '(none)',
      rulingArn,
      index.get(query.hsmKeyLabel)?.keyArn,
    );
    refused.push({ keyId: unit.keyId, error: refusal.name, cause: `${where(unit)}: ${refusal.message}` });
    return false;
  });
  bound.sort((a, b) => compareUrgency(a.unit, b.unit));
  const seen: MaterialSeen[] = target
    ? scan.keys
        .flatMap((key) => (key.materials.length > 0 ? key.materials : [unitOfKey(key)]))
        .slice(0, MAX_MATERIALS_LISTED)
        .map((unit) => ({
          keyId: unit.keyId,
          region: unit.region,
          ...(unit.keyMaterialId ? { keyMaterialId: unit.keyMaterialId } : {}),
          ...(unit.validTo ? { validTo: unit.validTo.toISOString() } : {}),
        }))
    : [];
  const taken = bound.slice(0, input.maxKeys);
  const start = deps.pacingClock.now();
  const pacing = {
    perSecond: input.getParametersForImportPerSecond,
    share: input.quotaShare,
    requestsPerImport: deps.requestsPerImport,
  };
  const sweepId = sweepIdFor(now);
  const slotsTaken = new Map<string, number>();
  return {
    sweepId,
    checkedAt: now.toISOString(),
    managedKeys: scan.keys.length + scan.unreadable.length,
    materials,
    keys: taken.map(({ unit, reason }) => {
      // Each Region's quota is its own: the n-th import in a Region waits for that Region's n-th slot.
      const slot = slotsTaken.get(unit.region) ?? 0;
      slotsTaken.set(unit.region, slot + 1);
      const importReason = importReasonFor(sweepId, reason, unit);
      return {
        keyId: unit.keyId,
        region: unit.region,
        reason,
        ...(unit.validTo ? { validTo: unit.validTo.toISOString() } : {}),
        notBefore: slotStart(start, slot, pacing).toISOString(),
        executionName: executionNameFor(unit, sweepId),
        importInput: {
          keyId: unit.keyArn,
          hsmKeyLabel: unit.hsmKeyLabel as string,
          ...(unit.keyMaterialId ? { keyMaterialId: unit.keyMaterialId } : {}),
          importReplicas: false as const,
          reason: importReason,
        },
      };
    }),
    // Unread keys first, so the listed ones show what the sweep could not cover.
    skipped: [...skipped.filter((key) => key.error), ...skipped.filter((key) => !key.error)].slice(
      0,
      MAX_SKIPPED_LISTED,
    ),
    skippedCount: skipped.length,
    refused: refused.slice(0, MAX_SKIPPED_LISTED),
    refusedCount: refused.length,
    unreadCount: skipped.filter((key) => key.error).length,
    deferred: bound.length - taken.length,
    ...(target ? { target, materialsSeen: seen } : {}),
  };
}

/** A key with no listed material, as one unit in its own Region. */
function unitOfKey(key: {
  keyId: string;
  keyArn: string;
  keyState: string;
  expirationModel: string | undefined;
  validTo: Date | undefined;
  hsmKeyLabel: string | undefined;
}): MaterialUnit {
  return {
    keyId: key.keyId,
    keyArn: key.keyArn,
    region: /^arn:[^:]+:kms:([^:]+):/.exec(key.keyArn)?.[1] ?? 'unknown',
    role: 'SINGLE',
    keyState: key.keyState,
    keyMaterialId: undefined,
    materialState: 'CURRENT',
    importState: key.keyState === 'PendingImport' ? 'PENDING_IMPORT' : 'IMPORTED',
    expirationModel: key.expirationModel,
    validTo: key.validTo,
    hsmKeyLabel: key.hsmKeyLabel,
  };
}

function where(unit: MaterialUnit): string {
  return `${unit.region}${unit.keyMaterialId ? ` material ${unit.keyMaterialId.slice(0, 12)}` : ''}`;
}

/** `20261127T030000Z`: sortable, and safe inside a Step Functions execution name. */
export function sweepIdFor(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/**
 * `reimport-<key id>-<sweep id>` for a single-Region key's only material (as before materials were
 * units); otherwise `reimport-<key id>-<8 hex of Region and material>-<sweep id>`: at most 71
 * characters, under Step Functions' 80.
 */
function executionNameFor(unit: MaterialUnit, sweepId: string): string {
  if (unit.role === 'SINGLE' && unit.materialState === 'CURRENT' && !unit.keyMaterialId) {
    return `reimport-${unit.keyId}-${sweepId}`;
  }
  const tag = createHash('sha256')
    .update(`${unit.region}/${unit.keyMaterialId ?? ''}`)
    .digest('hex')
    .slice(0, 8);
  return `reimport-${unit.keyId}-${tag}-${sweepId}`;
}

function importReasonFor(sweepId: string, reason: DueKey['reason'], unit: MaterialUnit): string {
  const material = unit.keyMaterialId ? ` material ${unit.keyMaterialId.slice(0, 12)}` : '';
  if (reason === 'pending-import')
    return `byok sweep ${sweepId}: ${unit.region}${material} has no key material (PendingImport)`;
  return `byok sweep ${sweepId}: ${unit.region}${material} expires ${unit.validTo?.toISOString() ?? 'soon'}`;
}
