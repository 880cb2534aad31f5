import { describe, expect, it } from 'vitest';

import {
  LATEST_INSTANT_MS,
  parseDuration,
  type TimerSource,
  VirtualClock,
} from '../../../src/local/clock.ts';
import { InvalidDurationError, VirtualClockError } from '../../../src/local/errors.ts';

/** Real time frozen at a fixed instant, so assertions on the virtual time are exact. */
function frozenClock(offsetMs = 0) {
  const realMs = Date.parse('2026-01-01T00:00:00Z');
  return new VirtualClock({ realNow: () => realMs, offsetMs });
}

function recordingSource(clock: VirtualClock, dueTimes: Date[], log: string[], name: string): TimerSource {
  const pending = [...dueTimes];
  return {
    nextDue: () => pending[0],
    async fire(now) {
      while (pending[0] && pending[0] <= now) {
        const due = pending.shift();
        // Awaiting inside fire must hold the clock at this instant.
        await new Promise((resolve) => setTimeout(resolve, 1));
        log.push(`${name}@${due?.toISOString()} seen ${clock.now().toISOString()}`);
      }
    },
  };
}

describe('VirtualClock', () => {
  it('fires every due source in time order at its own instant while advancing', async () => {
    // Prepare
    const clock = frozenClock();
    const log: string[] = [];
    const at = (iso: string) => new Date(iso);
    clock.addTimerSource(
      recordingSource(clock, [at('2026-01-01T03:00:00Z'), at('2026-01-02T00:00:00Z')], log, 'a'),
    );
    clock.addTimerSource(
      recordingSource(clock, [at('2026-01-01T01:00:00Z'), at('2026-03-01T00:00:00Z')], log, 'b'),
    );

    // Act
    const end = await clock.advance(36 * 3_600_000);

    // Assess
    expect(log).toEqual([
      'b@2026-01-01T01:00:00.000Z seen 2026-01-01T01:00:00.000Z',
      'a@2026-01-01T03:00:00.000Z seen 2026-01-01T03:00:00.000Z',
      'a@2026-01-02T00:00:00.000Z seen 2026-01-02T00:00:00.000Z',
    ]);
    expect(end.toISOString()).toBe('2026-01-02T12:00:00.000Z');
    expect(clock.offsetMs).toBe(36 * 3_600_000);
  });

  it('sets forward, refuses going backwards, and reports each move', async () => {
    // Prepare
    const clock = frozenClock();
    const moves: number[] = [];
    clock.onMove((offset) => moves.push(offset));

    // Act
    await clock.set(new Date('2026-06-01T00:00:00Z'));
    const backwards = clock.set(new Date('2025-01-01T00:00:00Z'));

    // Assess
    await expect(backwards).rejects.toBeInstanceOf(VirtualClockError);
    await expect(clock.advance(-1)).rejects.toBeInstanceOf(VirtualClockError);
    expect(clock.now().toISOString()).toBe('2026-06-01T00:00:00.000Z');
    expect(moves).toEqual([Date.parse('2026-06-01T00:00:00Z') - Date.parse('2026-01-01T00:00:00Z')]);
  });

  it('fires sources that real time made due when ticked, without moving the clock', async () => {
    // Prepare
    let realMs = Date.parse('2026-01-01T00:00:00Z');
    const clock = new VirtualClock({ realNow: () => realMs });
    const log: string[] = [];
    clock.addTimerSource(recordingSource(clock, [new Date('2026-01-01T00:00:05Z')], log, 'a'));

    // Act
    await clock.fireDue();
    const beforeDue = log.length;
    realMs += 10_000;
    await clock.fireDue();

    // Assess
    expect(beforeDue).toBe(0);
    expect(log).toHaveLength(1);
    expect(clock.offsetMs).toBe(0);
  });

  it('refuses a timer source that does not consume its work', async () => {
    // Prepare
    const clock = frozenClock();
    const stuck = new Date('2026-01-01T01:00:00Z');
    clock.addTimerSource({ nextDue: () => stuck, fire: async () => undefined });

    // Act & Assess
    await expect(clock.advance(2 * 3_600_000)).rejects.toThrow(/did not consume its work/);
  });
});

describe('VirtualClock refuses instants it cannot stand at', () => {
  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a negative offset', -1],
    ['an offset past year 9999', 8e15],
  ])('refuses to be constructed with %s', (_name, offsetMs) => {
    // Act & Assess
    expect(() => frozenClock(offsetMs)).toThrow(VirtualClockError);
  });

  it.each([
    ['an Invalid Date', new Date(Number.NaN)],
    ['the largest Date', new Date(8.64e15)],
    ['the first instant of year 10000', new Date(LATEST_INSTANT_MS + 1)],
  ])('refuses to be set to %s and stays where it was', async (_name, date) => {
    // Prepare
    const clock = frozenClock();
    const before = clock.now().getTime();

    // Act & Assess
    await expect(clock.set(date)).rejects.toThrow(VirtualClockError);
    expect(clock.now().getTime()).toBe(before);
  });

  it.each([
    ['Infinity', Number.POSITIVE_INFINITY],
    ['1e300', 1e300],
    ['past year 9999', LATEST_INSTANT_MS],
  ])('refuses to advance by %s and stays where it was', async (_name, ms) => {
    // Prepare
    const clock = frozenClock();
    const before = clock.now().getTime();

    // Act & Assess
    await expect(clock.advance(ms)).rejects.toThrow(VirtualClockError);
    expect(clock.now().getTime()).toBe(before);
  });

  it('reaches the end of year 9999 exactly', async () => {
    // Prepare
    const clock = frozenClock();

    // Act
    await clock.set(new Date(LATEST_INSTANT_MS));

    // Assess
    expect(clock.now().toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });

  it('fails an advance whose timer source reports an Invalid Date, instead of looping on it', async () => {
    // Prepare (a material validTo of 1e300 read without checks became exactly this source)
    const clock = frozenClock();
    let fired = 0;
    clock.addTimerSource({
      nextDue: () => new Date(1e300),
      async fire() {
        fired++;
      },
    });

    // Act
    const advanced = clock.advance(1000);

    // Assess
    await expect(advanced).rejects.toThrow(/timer source reported a due time that is not a valid instant/);
    expect(fired).toBe(0);
  });
});

describe('parseDuration', () => {
  it.each([
    ['25h', 25 * 3_600_000],
    ['90s', 90_000],
    ['1d12h', 36 * 3_600_000],
    ['400d', 400 * 86_400_000],
    ['1500ms', 1500],
    ['2w', 14 * 86_400_000],
  ])('reads %s', (text, ms) => {
    // Act & Assess
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '25', 'h', '3x', '1h 2m', '-1h'])('refuses %o with InvalidDurationError', (text) => {
    // Act & Assess
    expect(() => parseDuration(text)).toThrow(InvalidDurationError);
  });
});
