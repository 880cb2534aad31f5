// What `byok status` exits with, so that cron and monitoring can act on it without parsing the
// table: 0 when every managed key holds material that is not due (or was reimported since it
// became due), 2 when material is due within the lead window and no reimport has succeeded since,
// 3 when a managed key has no material or its material has expired, 4 when a managed key could not
// be read (its tags, or its material in some Region: throttled, access denied, a Region that did
// not answer), so nothing is known of it. 1 stays what it is for every byok command: the command
// itself failed. The worst key decides: 3, then 4, then 2.
import type { KeyStatus, StatusReport } from '../../../../core/sweep/status.ts';

/** `byok status` exit codes (documented in docs/scheduling.md and `byok status --help`). */
export const STATUS_EXIT_CODES = {
  /** Every managed key holds material that is not due, or was reimported since it became due. */
  ok: 0,
  /** The command failed (as for every byok command): nothing was checked. */
  failed: 1,
  /** Material due within the lead window, with no successful reimport since it became due. */
  due: 2,
  /** A managed key has no material (never imported, deleted) or its material has expired. */
  noMaterial: 3,
  /** A managed key could not be read: its material is unknown, so "all is well" cannot be said. */
  unreadable: 4,
} as const;

export type StatusProblemKind = 'no-material' | 'expired' | 'due-without-reimport' | 'unreadable';

export interface StatusProblem {
  keyId: string;
  problem: StatusProblemKind;
  /** One line for a person: what is wrong with the key. */
  detail: string;
}

export interface StatusHealth {
  exitCode: number;
  problems: StatusProblem[];
}

const DAY_SECONDS = 86_400;

function problemOf(key: KeyStatus, report: StatusReport): StatusProblem | undefined {
  const now = Date.parse(report.checkedAt);
  if (key.withoutMaterial) {
    return {
      keyId: key.keyId,
      problem: 'no-material',
      detail: 'no key material: every use of the key fails',
    };
  }
  const expired = [key, ...key.materials].find(
    (material) => material.validTo !== null && Date.parse(material.validTo) <= now,
  );
  if (expired?.validTo) {
    return { keyId: key.keyId, problem: 'expired', detail: `material expired at ${expired.validTo}` };
  }
  const leadSeconds = report.leadWindowDays * DAY_SECONDS;
  // Due as the sweep decides it (the window never exceeds half the key's validity), or within the
  // window on a key the sweep leaves alone (disabled, no HSM key tag): nothing will reimport it.
  const leftAlone = key.nextDue === null && key.note !== null;
  const due =
    key.nextDue === 'now' || (leftAlone && key.secondsLeft !== null && key.secondsLeft <= leadSeconds);
  if (!due || key.validTo === null) return undefined;
  // Due since the lead window opened at the latest; a success since then counts as its reimport.
  const dueSince = Date.parse(key.validTo) - leadSeconds * 1000;
  const reimported = key.lastRun?.result === 'SUCCEEDED' && Date.parse(key.lastRun.at) >= dueSince;
  if (reimported) return undefined;
  const last = key.lastRun
    ? `last run ${key.lastRun.result}${key.lastRun.error ? ` (${key.lastRun.error})` : ''} at ${key.lastRun.at}`
    : 'no run recorded';
  return {
    keyId: key.keyId,
    problem: 'due-without-reimport',
    detail: `material expires at ${key.validTo}, within the ${report.leadWindowDays}-day lead window; ${last}${key.note ? `; ${key.note}` : ''}`,
  };
}

/** A managed key status could not read: nothing is known of its material. */
function unreadableProblem(key: StatusReport['unreadable'][number]): StatusProblem {
  return {
    keyId: key.keyId,
    problem: 'unreadable',
    detail: `could not be read (${key.error ? `${key.error}: ` : ''}${key.why}): its material is not known`,
  };
}

export function statusHealth(report: StatusReport): StatusHealth {
  const problems = [
    ...report.keys.flatMap((key) => problemOf(key, report) ?? []),
    ...report.unreadable.map(unreadableProblem),
  ];
  const has = (kind: StatusProblemKind) => problems.some((problem) => problem.problem === kind);
  const exitCode =
    has('no-material') || has('expired')
      ? STATUS_EXIT_CODES.noMaterial
      : has('unreadable')
        ? STATUS_EXIT_CODES.unreadable
        : problems.length > 0
          ? STATUS_EXIT_CODES.due
          : STATUS_EXIT_CODES.ok;
  return { exitCode, problems };
}
