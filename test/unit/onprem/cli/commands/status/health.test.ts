// `byok status` exit codes from the report (issue 19): 0 healthy, 2 due without a successful
// reimport, 3 no material or expired material, 4 a managed key that could not be read; the worst
// key decides. The real CLI's codes against
// the local stack: test/integration/cli/status-exit-codes.test.ts.
import { describe, expect, it } from 'vitest';
import type { KeyStatus, StatusReport } from '../../../../../../src/core/sweep/status.ts';
import { STATUS_EXIT_CODES, statusHealth } from '../../../../../../src/onprem/cli/commands/status/health.ts';

const NOW = '2027-01-01T00:00:00.000Z';
const DAY = 86_400_000;
const at = (days: number) => new Date(Date.parse(NOW) + days * DAY).toISOString();

function key(id: string, fields: Partial<KeyStatus>): KeyStatus {
  return {
    keyId: id,
    keySpec: 'SYMMETRIC_DEFAULT',
    hsmKeyLabel: 'payments',
    keyState: 'Enabled',
    validTo: at(60),
    secondsLeft: 60 * 86_400,
    withoutMaterial: false,
    nextDue: at(46),
    note: null,
    lastRun: { result: 'SUCCEEDED', at: at(-30) },
    materials: [],
    ...fields,
  };
}

function report(...keys: KeyStatus[]): StatusReport {
  return { checkedAt: NOW, leadWindowDays: 14, keys, unreadable: [] };
}

/** A managed key the scan could not read (throttled, or a replica Region that did not answer). */
const UNREAD = { keyId: 'unread', error: 'ThrottlingException', why: 'Rate exceeded' };

const HEALTHY = key('healthy', {});
const DUE_FAILED = key('due-failed', {
  validTo: at(10),
  secondsLeft: 10 * 86_400,
  nextDue: 'now',
  lastRun: { result: 'FAILED', at: at(-1), error: 'HsmKeyNotFoundError' },
});
const DUE_NEVER_RUN = key('due-never', {
  validTo: at(3),
  secondsLeft: 3 * 86_400,
  nextDue: 'now',
  lastRun: null,
});
const DUE_BUT_REIMPORTED = key('due-reimported', {
  validTo: at(5),
  secondsLeft: 5 * 86_400,
  nextDue: 'now',
  lastRun: { result: 'SUCCEEDED', at: at(-1) },
});
const LEFT_ALONE_EXPIRING = key('left-alone', {
  keyState: 'Disabled',
  validTo: at(7),
  secondsLeft: 7 * 86_400,
  nextDue: null,
  note: 'the key is disabled; an import would enable it again',
});
const NO_MATERIAL = key('none', {
  keyState: 'PendingImport',
  validTo: null,
  secondsLeft: null,
  withoutMaterial: true,
  nextDue: 'now',
});
const EXPIRED_REPLICA = key('expired-replica', {
  materials: [
    {
      keyMaterialId: null,
      region: 'eu-west-1',
      role: 'REPLICA',
      hsmKeyLabel: 'payments',
      checkValue: null,
      state: 'CURRENT',
      importState: 'IMPORTED',
      validTo: at(-1),
      secondsLeft: -86_400,
      nextDue: 'now',
      note: null,
    },
  ],
});

describe('statusHealth', () => {
  it.each([
    ['no managed keys', [], STATUS_EXIT_CODES.ok, []],
    ['a key not yet due', [HEALTHY], STATUS_EXIT_CODES.ok, []],
    ['a due key reimported since it became due', [DUE_BUT_REIMPORTED], STATUS_EXIT_CODES.ok, []],
    ['a due key whose last run failed', [HEALTHY, DUE_FAILED], STATUS_EXIT_CODES.due, ['due-failed']],
    ['a due key never run', [DUE_NEVER_RUN], STATUS_EXIT_CODES.due, ['due-never']],
    [
      'a key the sweep leaves alone, expiring in the window',
      [LEFT_ALONE_EXPIRING],
      STATUS_EXIT_CODES.due,
      ['left-alone'],
    ],
    ['a key without material', [HEALTHY, NO_MATERIAL], STATUS_EXIT_CODES.noMaterial, ['none']],
    [
      'a replica whose material expired',
      [EXPIRED_REPLICA],
      STATUS_EXIT_CODES.noMaterial,
      ['expired-replica'],
    ],
    [
      'no material outranks due',
      [DUE_FAILED, NO_MATERIAL],
      STATUS_EXIT_CODES.noMaterial,
      ['due-failed', 'none'],
    ],
  ])('%s: exit %i', (_case, keys, exitCode, problemKeys) => {
    // Act
    const health = statusHealth(report(...keys));

    // Assess
    expect(health.exitCode).toBe(exitCode);
    expect(health.problems.map((problem) => problem.keyId)).toEqual(problemKeys);
  });

  it('exits 4, never 0, when a managed key could not be read, however healthy the others', () => {
    // Act
    const health = statusHealth({ ...report(HEALTHY), unreadable: [UNREAD] });

    // Assess
    expect(health.exitCode).toBe(STATUS_EXIT_CODES.unreadable);
    expect(health.problems).toEqual([
      {
        keyId: 'unread',
        problem: 'unreadable',
        detail: 'could not be read (ThrottlingException: Rate exceeded): its material is not known',
      },
    ]);
  });

  it('ranks an unreadable key above due keys and below a key without material', () => {
    // Act
    const withDue = statusHealth({ ...report(DUE_FAILED), unreadable: [UNREAD] });
    const withNone = statusHealth({ ...report(NO_MATERIAL), unreadable: [UNREAD] });

    // Assess
    expect(withDue.exitCode).toBe(STATUS_EXIT_CODES.unreadable);
    expect(withNone.exitCode).toBe(STATUS_EXIT_CODES.noMaterial);
    expect(withNone.problems.map((problem) => problem.problem)).toEqual(['no-material', 'unreadable']);
  });

  it('says what is wrong with each key in one line', () => {
    // Act
    const health = statusHealth(report(DUE_FAILED, NO_MATERIAL, EXPIRED_REPLICA));

    // Assess
    expect(health.problems).toEqual([
      {
        keyId: 'due-failed',
        problem: 'due-without-reimport',
        detail: `material expires at ${at(10)}, within the 14-day lead window; last run FAILED (HsmKeyNotFoundError) at ${at(-1)}`,
      },
      { keyId: 'none', problem: 'no-material', detail: 'no key material: every use of the key fails' },
      { keyId: 'expired-replica', problem: 'expired', detail: `material expired at ${at(-1)}` },
    ]);
  });

  it('keeps the codes documented: 0 ok, 1 failed, 2 due, 3 no material, 4 unreadable', () => {
    // Assess
    expect(STATUS_EXIT_CODES).toEqual({ ok: 0, failed: 1, due: 2, noMaterial: 3, unreadable: 4 });
  });
});
