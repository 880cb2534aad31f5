// When a managed key is due for reimport. A key is due when its material expires within the lead
// window; a key already in PendingImport (material expired, deleted, or never imported) is due at
// once and goes first. The window never exceeds half the key's own validity, so a key imported for
// fewer days than the window is not reimported on every sweep.
import { DAY_MS, type DueReason } from './contracts.ts';

/** What the policy looks at: a key, or one material of a key in one Region (MaterialUnit). */
export interface DueCandidate {
  keyId: string;
  keyState: string;
  hsmKeyLabel: string | undefined;
  expirationModel: string | undefined;
  validTo: Date | undefined;
  /** A material's own import state; without it the key's state decides. */
  importState?: string | undefined;
  region?: string | undefined;
}

export type DueDecision =
  | { kind: 'due'; reason: DueReason }
  | { kind: 'not-due'; nextDueAt: Date | undefined }
  | { kind: 'skip'; why: string };

// States in which an import would fail or would change what the key owner decided (an import
// re-enables a Disabled key), so the sweep leaves these keys alone and reports them.
const LEFT_ALONE: Record<string, string> = {
  Disabled: 'the key is disabled; an import would enable it again',
  PendingDeletion: 'the key is pending deletion',
  PendingReplicaDeletion: 'the key is pending replica deletion',
  Unavailable: 'the key is unavailable',
  Creating: 'the key is still being created',
  Updating: 'the key is being updated',
};

/** How long before ValidTo a key becomes due. */
export function leadTimeMs(leadWindowDays: number, validForDays: number | 'none' | undefined): number {
  const window = leadWindowDays * DAY_MS;
  if (typeof validForDays !== 'number') return window;
  return Math.min(window, (validForDays * DAY_MS) / 2);
}

export function decideDue(
  key: DueCandidate,
  now: Date,
  leadWindowDays: number,
  validForDays: number | 'none' | undefined,
): DueDecision {
  const leftAlone = LEFT_ALONE[key.keyState];
  if (leftAlone) return { kind: 'skip', why: leftAlone };
  if (!key.hsmKeyLabel) {
    return {
      kind: 'skip',
      why:
        key.importState === undefined
          ? 'the key has no byok:hsm-key-label tag'
          : 'no HSM key is recorded for this material (no byok:hsm-key description, and the key holds several materials or has no byok:hsm-key-label tag)',
    };
  }
  if (isMissing(key)) return { kind: 'due', reason: 'pending-import' };
  if (key.expirationModel !== 'KEY_MATERIAL_EXPIRES' || !key.validTo)
    return { kind: 'not-due', nextDueAt: undefined };
  const dueAt = new Date(key.validTo.getTime() - leadTimeMs(leadWindowDays, validForDays));
  if (dueAt.getTime() <= now.getTime()) return { kind: 'due', reason: 'expiring' };
  return { kind: 'not-due', nextDueAt: dueAt };
}

/** No material now: a material's own import state, else the key's state. */
function isMissing(key: DueCandidate): boolean {
  return key.importState !== undefined
    ? key.importState === 'PENDING_IMPORT'
    : key.keyState === 'PendingImport';
}

/** Urgent first (no material now), then by how soon the material expires. */
export function compareUrgency(a: DueCandidate, b: DueCandidate): number {
  const rank = (key: DueCandidate) => (isMissing(key) ? 0 : 1);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  const validTo = (key: DueCandidate) => key.validTo?.getTime() ?? Number.POSITIVE_INFINITY;
  return (
    validTo(a) - validTo(b) ||
    a.keyId.localeCompare(b.keyId) ||
    (a.region ?? '').localeCompare(b.region ?? '')
  );
}
