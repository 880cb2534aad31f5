// `byok status` against a running local stack, through the real CLI in another process: managed
// keys sorted by urgency, keys without material flagged, next reimport dates from the policy, and
// the last import result read from the byok events on the local bus.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../../src/core/sweep/status.ts';
import { type SweepWorld, startSweepWorld } from '../../../src/onprem/simulation/local-world.ts';

const run = promisify(execFile);
const DAY = 86_400_000;
let world: SweepWorld;
const ids: Record<string, string> = {};

beforeAll(async () => {
  // No rule may rescue the expired key: this test looks at it without material.
  world = await startSweepWorld({ disabledRules: ['reimport-sweep', 'reimport-on-expiration'] });
  ids.healthy = await world.createManagedKey({
    keySpec: 'HMAC_256',
    validForDays: 90,
    hsmKeyLabel: 'healthy',
  });
  ids.expiring = await world.createManagedKey({
    keySpec: 'SYMMETRIC_DEFAULT',
    validForDays: 20,
    hsmKeyLabel: 'expiring',
  });
  ids.expired = await world.createManagedKey({
    keySpec: 'SYMMETRIC_DEFAULT',
    validForDays: 3,
    hsmKeyLabel: 'expired',
  });
  ids.broken = await world.createManagedKey({
    keySpec: 'SYMMETRIC_DEFAULT',
    validForDays: 30,
    hsmKeyLabel: 'not-in-the-token',
    createHsmKey: false,
  });
  for (const name of ['healthy', 'expiring', 'expired', 'broken']) await world.importKey(ids[name] as string);
  await world.clock.advance(4 * DAY);
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

/** stdout of `byok status`; this world has keys without material, so it exits 3 (status-exit-codes.test.ts). */
async function status(...args: string[]): Promise<string> {
  const failed = await run('node', ['bin/byok.js', 'status', '--endpoint', world.stack.url, ...args]).catch(
    (error: { code: number; stdout: string }) => error,
  );
  if (!('code' in failed) || failed.code !== 3)
    throw new Error(`byok status exited ${JSON.stringify(failed)}`);
  return failed.stdout;
}

describe('byok status', () => {
  it('lists managed keys by urgency with time left, next reimport and last result', async () => {
    // Act
    const report = JSON.parse(await status('--json')) as StatusReport;

    // Assess
    // Both keys without material come first (in key id order), then by time left.
    expect(report.keys.map((key) => key.keyId)).toEqual([
      ...[ids.expired, ids.broken].sort(),
      ids.expiring,
      ids.healthy,
    ]);
    const byId = (id: string | undefined) => report.keys.find((key) => key.keyId === id);
    const [expired, broken, expiring, healthy] = [ids.expired, ids.broken, ids.expiring, ids.healthy].map(
      byId,
    );
    expect(expired).toMatchObject({
      withoutMaterial: true,
      validTo: null,
      nextDue: 'now',
      lastRun: { result: 'SUCCEEDED' },
    });
    expect(broken).toMatchObject({
      withoutMaterial: true,
      hsmKeyLabel: 'not-in-the-token',
      lastRun: { result: 'FAILED', error: 'HsmKeyNotFoundError' },
    });
    // 20-day validity, 16 days left: due when 10 days are left (half the validity < 14-day window).
    expect(expiring?.secondsLeft).toBeGreaterThan(15.9 * 86_400);
    expect(Date.parse(expiring?.nextDue ?? '')).toBe(Date.parse(expiring?.validTo ?? '') - 10 * DAY);
    expect(healthy).toMatchObject({ keySpec: 'HMAC_256', hsmKeyLabel: 'healthy', withoutMaterial: false });
    expect(Date.parse(healthy?.nextDue ?? '')).toBe(Date.parse(healthy?.validTo ?? '') - 14 * DAY);
  });

  it('prints a table that flags keys without material', async () => {
    // Act
    const text = await status();

    // Assess
    const expiredRow = text.split('\n').find((line) => line.includes(ids.expired as string));
    expect(expiredRow).toMatch(/^!\s/);
    expect(expiredRow).toContain('NO MATERIAL');
    expect(text).toContain('HsmKeyNotFoundError');
  });

  it('says clearly when nothing answers at the endpoint', async () => {
    // Act
    const failed = await run('node', ['bin/byok.js', 'status', '--endpoint', 'http://127.0.0.1:9']).catch(
      (error: { code: number; stderr: string }) => error,
    );

    // Assess
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/^byok: LocalEndpointUnreachableError: /);
  });
});
