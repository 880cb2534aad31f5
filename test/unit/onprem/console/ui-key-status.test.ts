// One status per key in a custodian's words, and counts that add up (src/onprem/console/ui/key-status.ts).
import { describe, expect, it } from 'vitest';
import {
  countKeys,
  isThrottled,
  keyDisplayName,
  keyStatusOf,
  lastSweepWords,
} from '../../../../src/onprem/console/ui/key-status.ts';
import type { KeyView, MaterialStatus } from '../../../../src/onprem/console/wire.ts';

const DAY = 86_400;

function key(overrides: Partial<KeyView> = {}): KeyView {
  return {
    keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    keySpec: 'SYMMETRIC_DEFAULT',
    hsmKeyLabel: 'payments',
    keyState: 'Enabled',
    validTo: '2027-03-01T00:00:00.000Z',
    secondsLeft: 90 * DAY,
    withoutMaterial: false,
    nextDue: '2027-02-15T00:00:00.000Z',
    note: null,
    lastRun: null,
    materials: [],
    aliases: [],
    description: null,
    binding: { state: 'bound', boundLabels: ['payments'], detail: null, boundElsewhere: null },
    ...overrides,
  };
}

function material(overrides: Partial<MaterialStatus> = {}): MaterialStatus {
  return {
    keyMaterialId: 'a'.repeat(64),
    region: 'eu-west-1',
    role: 'SINGLE',
    hsmKeyLabel: 'payments',
    checkValue: null,
    state: 'CURRENT',
    importState: 'IMPORTED',
    validTo: null,
    secondsLeft: null,
    nextDue: null,
    note: null,
    ...overrides,
  };
}

describe('key status in custodian words', () => {
  it.each([
    ['healthy', key(), 'Healthy', 'ok', /reimports it from 2027-02-15/],
    [
      'due in 9 days',
      key({ nextDue: 'now', secondsLeft: 8 * DAY + 5 }),
      'Due in 9 days',
      'warn',
      /next scheduled sweep/,
    ],
    [
      'due in 1 day',
      key({ nextDue: 'now', secondsLeft: 3600 }),
      'Due in 1 day',
      'warn',
      /expires on 2027-03-01/,
    ],
    [
      'expired',
      key({
        keyState: 'PendingImport',
        withoutMaterial: true,
        validTo: null,
        secondsLeft: null,
        nextDue: 'now',
        materials: [
          material({ importState: 'PENDING_IMPORT', validTo: '2026-01-01T00:00:00Z', secondsLeft: -DAY }),
        ],
      }),
      'Expired',
      'danger',
      /every use of the key fails\. The next sweep reimports it/,
    ],
    [
      'expired, as KMS lists it after ValidTo (the material still named, no ValidTo)',
      key({
        keyState: 'PendingImport',
        withoutMaterial: true,
        validTo: null,
        secondsLeft: null,
        nextDue: 'now',
        materials: [material({ importState: 'PENDING_IMPORT', validTo: null, secondsLeft: null })],
      }),
      'Expired',
      'danger',
      /expired \(or was deleted\)/,
    ],
    [
      'no material',
      key({
        keyState: 'PendingImport',
        withoutMaterial: true,
        validTo: null,
        secondsLeft: null,
        nextDue: 'now',
      }),
      'No material',
      'danger',
      /The next sweep imports it/,
    ],
    [
      'failing',
      key({
        keyState: 'PendingImport',
        withoutMaterial: true,
        validTo: null,
        secondsLeft: null,
        nextDue: 'now',
        lastRun: { result: 'FAILED', at: '2026-12-07T10:00:00Z', error: 'HsmKeyNotFoundError' },
      }),
      'Failing: HsmKeyNotFoundError',
      'danger',
      /fails the same way until HsmKeyNotFoundError is fixed/,
    ],
    [
      'does not expire',
      key({ validTo: null, secondsLeft: null, nextDue: null }),
      'Healthy',
      'ok',
      /does not expire/,
    ],
    [
      'left alone',
      key({ nextDue: null, note: 'the key is disabled', keyState: 'Disabled' }),
      'Healthy',
      'ok',
      /Left alone by the sweep: the key is disabled/,
    ],
  ])('%s', (_case, view, label, tone, next) => {
    // Act
    const status = keyStatusOf(view);

    // Assess
    expect(status.label).toBe(label);
    expect(status.tone).toBe(tone);
    expect(status.next).toMatch(next);
  });

  it('never shows an interrupted byok import as a success, and says to run it again', () => {
    // Act
    const status = keyStatusOf(
      key({
        lastRun: {
          result: 'FAILED',
          at: '2026-12-07T10:00:00Z',
          error: 'interrupted by SIGINT',
          interrupted: true,
        },
      }),
    );

    // Assess
    expect(status).toMatchObject({ kind: 'failing', label: 'Interrupted: not verified', tone: 'danger' });
    expect(status.next).toMatch(/was interrupted by SIGINT before it verified what KMS holds: run it again/);
  });

  it('never says a failing key will recover on its own', () => {
    // Act
    const status = keyStatusOf(
      key({ lastRun: { result: 'FAILED', at: '2026-12-07T10:00:00Z', error: 'VerificationFailedError' } }),
    );

    // Assess
    expect(status.kind).toBe('failing');
    expect(status.next).toMatch(/will fail too/);
  });

  it('counts every key once, and the unreadable and throttled ones too, so the parts add up', () => {
    // Prepare
    const keys = [
      key(),
      key({ nextDue: 'now', secondsLeft: DAY }),
      key({
        withoutMaterial: true,
        keyState: 'PendingImport',
        nextDue: 'now',
        validTo: null,
        secondsLeft: null,
      }),
      key({
        withoutMaterial: true,
        keyState: 'PendingImport',
        nextDue: 'now',
        lastRun: { result: 'FAILED', at: 'x', error: 'HsmKeyNotFoundError' },
      }),
    ];
    const unreadable = [
      { keyId: 'k1', why: 'ThrottlingException: Rate exceeded' },
      { keyId: 'k2', why: 'tag byok:valid-for-days is not a number' },
    ];

    // Act
    const counts = countKeys({ keys, unreadable });

    // Assess
    expect(counts).toEqual({
      total: 6,
      healthy: 1,
      due: 1,
      expired: 0,
      noMaterial: 1,
      failing: 1,
      unreadable: 2,
      throttled: 1,
    });
    expect(
      counts.healthy + counts.due + counts.expired + counts.noMaterial + counts.failing + counts.unreadable,
    ).toBe(counts.total);
  });

  it('never says the sweep will import a key whose HSM key is not bound to it, and says who fixes it', () => {
    // Prepare
    const add =
      'byok bindings add --hsm-key payments --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --region eu-west-1';
    const unbound = { state: 'unbound' as const, boundLabels: [], detail: add, boundElsewhere: null };

    // Act
    const noMaterial = keyStatusOf(
      key({ withoutMaterial: true, nextDue: 'now', validTo: null, binding: unbound }),
    );
    const due = keyStatusOf(key({ nextDue: 'now', secondsLeft: 3 * DAY, binding: unbound }));
    const healthy = keyStatusOf(
      key({ binding: { ...unbound, boundElsewhere: 'arn:aws:kms:eu-west-1:111122223333:key/other' } }),
    );
    const bound = keyStatusOf(key({ withoutMaterial: true, nextDue: 'now', validTo: null }));

    // Assess
    for (const status of [noMaterial, due, healthy]) {
      expect(status.next).not.toMatch(/sweep (re)?imports it/);
      expect(status.next).toContain('HSM key payments is not bound to this key');
      expect(status.next).toContain('HsmKeyNotBoundError');
    }
    expect(noMaterial.next).toContain(add);
    expect(due).toMatchObject({ kind: 'due', tone: 'danger' });
    expect(healthy).toMatchObject({ kind: 'healthy', label: 'Healthy, not bound', tone: 'warn' });
    expect(healthy.next).toContain('it is bound to arn:aws:kms:eu-west-1:111122223333:key/other');
    expect(bound.next).toBe('Every use of the key fails. The next sweep imports it.');
  });

  it('recognises throttling however KMS words it', () => {
    // Act / Assess
    expect(isThrottled('ThrottlingException: Rate exceeded')).toBe(true);
    expect(isThrottled('Too Many Requests')).toBe(true);
    expect(isThrottled('AccessDeniedException')).toBe(false);
  });

  it('names a key by its alias, else its description, else its id', () => {
    // Act / Assess
    expect(keyDisplayName(key({ aliases: ['alias/payments-prod', 'alias/other'] }))).toBe('payments-prod');
    expect(keyDisplayName(key({ description: 'Card payments MAC key' }))).toBe('Card payments MAC key');
    expect(keyDisplayName(key())).toBe('1234abcd-12ab-34cd-56ef-1234567890ab');
  });

  it('says how the last sweep went in one line, a PARTIAL one as a warning with why', () => {
    // Prepare
    const sweep = {
      sweepId: 's1',
      checkedAt: '2026-12-07T03:00:00.000Z',
      outcome: 'PARTIAL' as const,
      outcomeReason: '3 keys could not be read (ThrottlingException)',
      due: 2,
      succeeded: 2,
      failed: 0,
      unread: 3,
      unreadKeys: [],
      failures: [],
    };

    // Act / Assess
    expect(lastSweepWords(sweep)).toEqual({
      tone: 'warn',
      text: 'Last sweep 2026-12-07T03:00:00.000Z: PARTIAL: 3 keys could not be read (ThrottlingException) (due 2, reimported 2, failed 0, not read 3).',
    });
    expect(lastSweepWords({ ...sweep, outcome: 'COMPLETE', outcomeReason: null, unread: 0 })).toEqual({
      tone: 'ok',
      text: 'Last sweep 2026-12-07T03:00:00.000Z: complete (due 2, reimported 2, failed 0, not read 0).',
    });
    expect(lastSweepWords(undefined).tone).toBe('muted');
  });

  it('says a sweep whose execution failed FAILED, in the warning tone, without counts it never had', () => {
    // Prepare
    const failed = {
      sweepId: 'sweep-2026-12-08',
      checkedAt: '2026-12-08T03:00:05.000Z',
      outcome: 'FAILED' as const,
      outcomeReason:
        "the sweep's execution ended FAILED (ThrottlingException): no key is known to have been reimported by it",
      due: 0,
      succeeded: 0,
      failed: 0,
      unread: 0,
      unreadKeys: [],
      failures: [],
    };

    // Act
    const words = lastSweepWords(failed);

    // Assess
    expect(words).toEqual({
      tone: 'warn',
      text: "Last sweep 2026-12-08T03:00:05.000Z: FAILED: the sweep's execution ended FAILED (ThrottlingException): no key is known to have been reimported by it.",
    });
  });
});
