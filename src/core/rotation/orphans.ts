// HSM keys left by abandoned rotation requests. CreateRotationMaterial makes each rotation's key
// with a CKA_ID bound to its request (`byok:AES_256:rotation-<request id>`, material-provenance.ts),
// and RetireRotationMaterial destroys it when the rotation is abandoned. A rotation that ended
// without reaching either (an execution stopped, or cut off by a stack that stopped or was killed
// mid-step) leaves its key behind: an unused copy of key material. Here such keys are found
// (`byok hsm list` reports them, with the request id) and retired by the next rotation run:
//  - a key is an orphan when its request is unknown, or its rotation's execution has ended without
//    succeeding (a succeeded rotation's key holds the key's material: never an orphan), or the
//    request ended (REJECTED, EXPIRED, CANCELLED) without an execution;
//  - an orphan is destroyed only once KMS proves, in every Region of the request's key, that no
//    material came from it (proveHsmKeyNeverImported, the proof RetireRotationMaterial uses); an
//    orphan whose KMS key is not known, or that the proof refuses, is kept and reported.
import type { HsmAdmin, HsmKeyInfo } from '../hsm/port.ts';
import type { StepLogger } from '../step-kernel/logger.ts';
import type { RetireAbandonedKeys } from './hsm-material.ts';
import { type MaterialAbsenceDeps, proveHsmKeyNeverImported } from './material-absence.ts';

const ROTATION_KEY_ID = /^byok:AES_256:rotation-([0-9a-f-]{36})$/;
const ENDED_REQUEST_STATUSES = new Set(['REJECTED', 'EXPIRED', 'CANCELLED']);

/** The request a rotation HSM key was made for (from its CKA_ID), or undefined for other keys. */
export function rotationRequestOf(info: Pick<HsmKeyInfo, 'id'>): string | undefined {
  return info.id ? ROTATION_KEY_ID.exec(info.id)?.[1] : undefined;
}

/** What is known of a rotation request, from the approvals store (the API, or the table). */
export interface RotationRequestFacts {
  keyArn: string;
  status: string;
  executionArn?: string | undefined;
}

/** Reads the facts that decide whether a rotation key is abandoned. */
export interface RotationKeyFacts {
  /** The request, or undefined when the store does not know it. */
  request(requestId: string): Promise<RotationRequestFacts | undefined>;
  /** The execution's status (RUNNING, SUCCEEDED, FAILED, ...), or undefined when it does not exist. */
  executionStatus(executionArn: string): Promise<string | undefined>;
}

export type RotationKeyState = 'in-use' | 'rotated' | 'orphan';

export interface RotationKeyReport {
  hsmKeyLabel: string;
  requestId: string;
  state: RotationKeyState;
  /** Why it is in that state (shown by `byok hsm list`). */
  reason: string;
  /** The request's KMS key, when known (what the proof reads). */
  keyArn?: string | undefined;
}

/** Classifies one rotation key (see the header for the rule). */
export async function classifyRotationKey(
  hsmKeyLabel: string,
  requestId: string,
  facts: RotationKeyFacts,
): Promise<RotationKeyReport> {
  const request = await facts.request(requestId);
  if (!request) {
    return { hsmKeyLabel, requestId, state: 'orphan', reason: 'its rotation request is unknown' };
  }
  const base = { hsmKeyLabel, requestId, keyArn: request.keyArn };
  if (!request.executionArn) {
    return ENDED_REQUEST_STATUSES.has(request.status)
      ? { ...base, state: 'orphan', reason: `its request is ${request.status} and no rotation ran` }
      : { ...base, state: 'in-use', reason: `its request is ${request.status}` };
  }
  const status = await facts.executionStatus(request.executionArn);
  if (status === 'RUNNING') return { ...base, state: 'in-use', reason: 'its rotation is running' };
  if (status === 'SUCCEEDED') return { ...base, state: 'rotated', reason: 'its rotation succeeded' };
  return {
    ...base,
    state: 'orphan',
    reason: status
      ? `its rotation ended ${status} without retiring it`
      : 'its rotation execution no longer exists',
  };
}

/** Every rotation key in the token, classified. */
export async function reportRotationKeys(
  keys: readonly Pick<HsmKeyInfo, 'label' | 'id'>[],
  facts: RotationKeyFacts,
): Promise<RotationKeyReport[]> {
  const reports: RotationKeyReport[] = [];
  for (const key of keys) {
    const requestId = rotationRequestOf(key);
    if (requestId) reports.push(await classifyRotationKey(key.label, requestId, facts));
  }
  return reports;
}

export interface RetireOrphansDeps extends MaterialAbsenceDeps {
  hsm: Pick<HsmAdmin, 'listKeys' | 'destroyKey'>;
  facts: RotationKeyFacts;
  logger?: StepLogger | undefined;
}

export interface RetiredOrphans {
  destroyed: Array<{ hsmKeyLabel: string; requestId: string }>;
  /** Orphans kept: no KMS key to prove against, or the proof refused (its error's name). */
  kept: Array<{ hsmKeyLabel: string; requestId: string; reason: string }>;
}

/**
 * Destroys the orphan rotation keys of the token that KMS proves were never imported (every Region
 * of the request's key); `except` is the request running now (its own key is never touched).
 */
export async function retireOrphanRotationKeys(
  deps: RetireOrphansDeps,
  options: { except?: string | undefined } = {},
): Promise<RetiredOrphans> {
  const reports = await reportRotationKeys(await deps.hsm.listKeys(), deps.facts);
  const retired: RetiredOrphans = { destroyed: [], kept: [] };
  for (const report of reports) {
    if (report.state !== 'orphan' || report.requestId === options.except) continue;
    const { hsmKeyLabel, requestId } = report;
    if (!report.keyArn) {
      retired.kept.push({ hsmKeyLabel, requestId, reason: `${report.reason}: no KMS key to prove against` });
      continue;
    }
    try {
      await proveHsmKeyNeverImported(report.keyArn, hsmKeyLabel, deps);
    } catch (error) {
      retired.kept.push({
        hsmKeyLabel,
        requestId,
        reason: `KMS does not prove it unused (${error instanceof Error ? error.name : 'Error'})`,
      });
      continue;
    }
    await deps.hsm.destroyKey(hsmKeyLabel);
    retired.destroyed.push({ hsmKeyLabel, requestId });
  }
  if (retired.destroyed.length > 0 || retired.kept.length > 0) {
    deps.logger?.info('orphan rotation keys of abandoned requests', {
      destroyed: retired.destroyed,
      kept: retired.kept,
    });
  }
  return retired;
}

/** The retirement CreateRotationMaterial runs first where its deps give it (the local runner). */
export function retireAbandonedKeysWith(
  port: Omit<RetireOrphansDeps, 'hsm' | 'logger'>,
): RetireAbandonedKeys {
  return (hsm, options) => retireOrphanRotationKeys({ ...port, hsm, logger: options.logger }, options);
}
