// One scan of the managed keys for every tab (createKeysCache in src/onprem/console/keys.ts): a scan
// in flight is joined, a fresh answer is served for a few seconds, then served at once while a new
// scan runs behind it, `fresh` and `invalidate` wait for a new scan, and a failed scan is never served.
import { describe, expect, it } from 'vitest';
import { createKeysCache } from '../../../../src/onprem/console/keys.ts';
import type { KeysView } from '../../../../src/onprem/console/wire.ts';

function view(checkedAt: string): KeysView {
  return { checkedAt, leadWindowDays: 14, keys: [], unreadable: [] };
}

describe('keys cache', () => {
  it('joins a scan in flight: three tabs asking at once make one scan', async () => {
    // Prepare
    let scans = 0;
    const cache = createKeysCache(async () => {
      scans += 1;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return view(`scan ${scans}`);
    });

    // Act
    const answers = await Promise.all([cache.read(14), cache.read(14), cache.read(14)]);

    // Assess
    expect(scans).toBe(1);
    expect(answers.map((answer) => answer.checkedAt)).toEqual(['scan 1', 'scan 1', 'scan 1']);
  });

  it('serves a settled scan while it is fresh, and waits for a new one when asked fresh or invalidated', async () => {
    // Prepare
    let now = 0;
    let scans = 0;
    const cache = createKeysCache(async () => view(`scan ${++scans}`), { ttlMs: 5000, now: () => now });
    await cache.read(14);

    // Act
    now = 4000;
    const cached = await cache.read(14);
    const fresh = await cache.read(14, { fresh: true });
    cache.invalidate();
    const afterInvalidate = await cache.read(14);

    // Assess
    expect([cached, fresh, afterInvalidate].map((answer) => answer.checkedAt)).toEqual([
      'scan 1',
      'scan 2',
      'scan 3',
    ]);
    expect(scans).toBe(3);
  });

  it('past its time to live, answers at once with the last scan and scans again for the next read', async () => {
    // Prepare: a scan that takes longer than anyone waits (the server answers 504 after 55 s).
    let now = 0;
    let scans = 0;
    let finish: (() => void) | undefined;
    const cache = createKeysCache(
      (days) =>
        new Promise((resolve) => {
          scans += 1;
          const name = `scan ${scans}`;
          finish = () => resolve({ ...view(name), leadWindowDays: days });
        }),
      { ttlMs: 5000, now: () => now },
    );
    const first = cache.read(14);
    finish?.();
    await first;

    // Act: long after, a poll; the new scan ends while nobody waits; the next poll.
    now = 60_000;
    const stale = await cache.read(14);
    const startedBehind = scans;
    finish?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
    now = 61_000;
    const next = await cache.read(14);

    // Assess: the stale answer came at once, and the scan that ended unseen is what the next poll gets.
    expect(stale.checkedAt).toBe('scan 1');
    expect(startedBehind).toBe(2);
    expect(next.checkedAt).toBe('scan 2');
    expect(scans).toBe(2);
  });

  it('never serves a failed scan: the next read scans again', async () => {
    // Prepare
    let scans = 0;
    const cache = createKeysCache(async () => {
      scans += 1;
      if (scans === 1) throw new Error('ThrottlingException');
      return view('second');
    });

    // Act
    const first = await cache.read(14).catch((error: Error) => error.message);
    const second = await cache.read(14);

    // Assess
    expect(first).toBe('ThrottlingException');
    expect(second.checkedAt).toBe('second');
  });
});
