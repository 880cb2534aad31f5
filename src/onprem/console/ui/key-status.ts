// One status per key, in the words a key custodian uses, and counts that add up: every key is in
// exactly one bucket, and keys that could not be read (throttled, unreadable tags) are a bucket of
// their own, never a footnote. Pure functions of the Keys API's answer, so they are unit-tested.
import type { KeysView, KeyView } from '../wire.ts';

export type KeyStatusKind = 'failing' | 'expired' | 'no-material' | 'due' | 'healthy';

export interface KeyStatusWords {
  kind: KeyStatusKind;
  /** Healthy / Due in N days / Expired / No material / Failing: <error name> */
  label: string;
  tone: 'danger' | 'warn' | 'ok';
  /** What happens next, truthfully (who or what acts, and when). */
  next: string;
}

const DAY_SECONDS = 86_400;

/** Whole days, rounded up, so "Due in 1 day" still has hours left. */
function daysLeft(seconds: number): number {
  return Math.max(0, Math.ceil(seconds / DAY_SECONDS));
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * The key had material and lost it: KMS still lists a material that was imported (it has an id) as
 * PENDING_IMPORT after its ValidTo passed (or after DeleteImportedKeyMaterial); a key that never had
 * material lists none.
 */
function expired(key: KeyView): boolean {
  if (key.secondsLeft !== null && key.secondsLeft <= 0) return true;
  return key.materials.some(
    (material) => material.importState === 'PENDING_IMPORT' && material.keyMaterialId !== null,
  );
}

/** What the sweep will do with the key next, in plain words. */
function sweepNext(key: KeyView, day: (iso: string) => string): string {
  if (key.note && key.nextDue === null && !key.withoutMaterial)
    return `Left alone by the sweep: ${key.note}.`;
  if (key.nextDue === 'now') return 'The next scheduled sweep reimports it.';
  if (key.nextDue) return `The sweep reimports it from ${day(key.nextDue)}.`;
  if (key.validTo === null && !key.withoutMaterial) return 'Its material does not expire: nothing scheduled.';
  return key.note ? `Left alone by the sweep: ${key.note}.` : 'Nothing scheduled.';
}

/**
 * Why the sweep will not import the key, when no administrator bound its HSM key to it (the sweep
 * and every import refuse it with HsmKeyNotBoundError); undefined when it is bound or not known.
 */
function unboundReason(key: KeyView): string | undefined {
  const binding = key.binding;
  if (binding?.state !== 'unbound' || !key.hsmKeyLabel) return undefined;
  const elsewhere = binding.boundElsewhere ? ` (it is bound to ${binding.boundElsewhere})` : '';
  const fix = binding.detail ? `; an administrator binds it with \`${binding.detail}\`` : '';
  return `HSM key ${key.hsmKeyLabel} is not bound to this key${elsewhere}, so the sweep and every import refuse it (HsmKeyNotBoundError)${fix}.`;
}

export function keyStatusOf(
  key: KeyView,
  day: (iso: string) => string = (iso) => iso.slice(0, 10),
): KeyStatusWords {
  const unbound = unboundReason(key);
  if (key.lastRun?.result === 'FAILED' && key.lastRun.interrupted) {
    return {
      kind: 'failing',
      label: 'Interrupted: not verified',
      tone: 'danger',
      next: `The last \`byok import\` was ${key.lastRun.error ?? 'interrupted'} before it verified what KMS holds: run it again. ${unbound ?? sweepNext(key, day)}`,
    };
  }
  if (key.lastRun?.result === 'FAILED') {
    const error = key.lastRun.error || 'unknown error';
    return {
      kind: 'failing',
      label: `Failing: ${error}`,
      tone: 'danger',
      next: unbound
        ? `Nothing is imported until then: ${unbound}`
        : key.nextDue === 'now' || key.withoutMaterial
          ? `The next sweep tries again and fails the same way until ${error} is fixed; then it imports.`
          : `Until ${error} is fixed, the next import will fail too. ${sweepNext(key, day)}`,
    };
  }
  if (key.withoutMaterial && expired(key)) {
    return {
      kind: 'expired',
      label: 'Expired',
      tone: 'danger',
      next: `Its material expired (or was deleted): every use of the key fails. ${
        unbound ?? (key.nextDue === 'now' ? 'The next sweep reimports it.' : sweepNext(key, day))
      }`,
    };
  }
  if (key.withoutMaterial) {
    return {
      kind: 'no-material',
      label: 'No material',
      tone: 'danger',
      next: `Every use of the key fails. ${unbound ?? (key.nextDue === 'now' ? 'The next sweep imports it.' : sweepNext(key, day))}`,
    };
  }
  if (key.nextDue === 'now') {
    const days = key.secondsLeft === null ? 0 : daysLeft(key.secondsLeft);
    return {
      kind: 'due',
      label: days === 0 ? 'Due today' : `Due in ${plural(days, 'day')}`,
      tone: unbound ? 'danger' : 'warn',
      next: `Its material expires${key.validTo ? ` on ${day(key.validTo)}` : ''}; ${
        unbound ?? 'the next scheduled sweep reimports it.'
      }`,
    };
  }
  if (unbound) {
    return {
      kind: 'healthy',
      label: 'Healthy, not bound',
      tone: 'warn',
      next: `Its next reimport will be refused: ${unbound}`,
    };
  }
  return { kind: 'healthy', label: 'Healthy', tone: 'ok', next: sweepNext(key, day) };
}

export interface KeyCounts {
  /** Every managed key the scan found, readable or not. */
  total: number;
  healthy: number;
  due: number;
  expired: number;
  noMaterial: number;
  failing: number;
  /** Keys that could not be read (throttled by KMS, or tags byok cannot read). */
  unreadable: number;
  /** Of those, how many KMS throttled. */
  throttled: number;
}

export function isThrottled(why: string): boolean {
  return /throttl|rate exceeded|too many requests/i.test(why);
}

/** Each key counted once; healthy + due + expired + noMaterial + failing + unreadable = total. */
export function countKeys(view: Pick<KeysView, 'keys' | 'unreadable'>): KeyCounts {
  const counts: KeyCounts = {
    total: view.keys.length + view.unreadable.length,
    healthy: 0,
    due: 0,
    expired: 0,
    noMaterial: 0,
    failing: 0,
    unreadable: view.unreadable.length,
    throttled: view.unreadable.filter((key) => isThrottled(key.why)).length,
  };
  for (const key of view.keys) {
    const kind = keyStatusOf(key).kind;
    if (kind === 'no-material') counts.noMaterial += 1;
    else counts[kind] += 1;
  }
  return counts;
}

/** A key's name as a custodian knows it: its first alias (without `alias/`), else its description. */
export function keyDisplayName(key: Pick<KeyView, 'keyId' | 'aliases' | 'description'>): string {
  const alias = key.aliases?.[0];
  if (alias) return alias.replace(/^alias\//, '');
  if (key.description) return key.description;
  return key.keyId;
}

/**
 * The last sweep in one line, as `byok status` prints it: when, COMPLETE or PARTIAL with why, and
 * its counts; a PARTIAL one is a warning, never shown as fine.
 */
export function lastSweepWords(
  sweep: KeysView['lastSweep'],
  when: (iso: string) => string = (iso) => iso,
): { tone: 'ok' | 'warn' | 'muted'; text: string } {
  if (!sweep) {
    return { tone: 'muted', text: 'No sweep report here yet (none has run, or it cannot be read).' };
  }
  if (sweep.outcome === 'FAILED') {
    return {
      tone: 'warn',
      text: `Last sweep ${when(sweep.checkedAt)}: FAILED${sweep.outcomeReason ? `: ${sweep.outcomeReason}` : ''}.`,
    };
  }
  const counts = `due ${sweep.due}, reimported ${sweep.succeeded}, failed ${sweep.failed}, not read ${sweep.unread}`;
  return sweep.outcome === 'COMPLETE'
    ? { tone: 'ok', text: `Last sweep ${when(sweep.checkedAt)}: complete (${counts}).` }
    : {
        tone: 'warn',
        text: `Last sweep ${when(sweep.checkedAt)}: PARTIAL${sweep.outcomeReason ? `: ${sweep.outcomeReason}` : ''} (${counts}).`,
      };
}
