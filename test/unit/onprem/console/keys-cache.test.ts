// One scan of the managed keys for every tab (createKeysCache in src/onprem/console/keys.ts): a scan
// in flight is joined, a fresh answer is served for a few seconds, `fresh` and `invalidate` scan
// again, and a failed scan is never served.
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

  it('serves a settled scan until it is older than the time to live, or asked fresh, or invalidated', async () => {
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
    now = 20_000;
    const expired = await cache.read(14);

    // Assess
    expect([cached, fresh, afterInvalidate, expired].map((answer) => answer.checkedAt)).toEqual([
      'scan 1',
      'scan 2',
      'scan 3',
      'scan 4',
    ]);
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
