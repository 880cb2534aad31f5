// The acceptance, as a user runs it: a local fleet of 3 accounts × 2 Regions with keys of
// every family, one multi-Region key per account and the hub's symmetric keys rotated every 90
// days, through 400 virtual days of the daily reimport-fleet: 0 s expired for every material in
// every account and Region, 0 failed executions. Measured by `byok simulate` from each account's
// own KMS (several minutes on this machine).
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { FleetSimulationResult } from '../../../src/onprem/simulation/fleet-simulation.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/byok.js');
const run = promisify(execFile);

describe('byok simulate --accounts 3 --regions 2 --keys 4 --days 400 --rotate-every 90d --json', () => {
  it('keeps every material of every account and Region imported: 0 s expired, 0 failed executions', async () => {
    // Act
    const { stdout } = await run(
      process.execPath,
      [
        BIN,
        'simulate',
        '--accounts',
        '3',
        '--regions',
        '2',
        '--keys',
        '4',
        '--days',
        '400',
        '--rotate-every',
        '90d',
        '--json',
      ],
      { maxBuffer: 64 * 1024 * 1024, timeout: 1_700_000 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as FleetSimulationResult;

    // Assess
    expect(result).toMatchObject({
      accounts: 3,
      regions: ['us-east-1', 'eu-west-1'],
      days: 400,
      failedExecutions: 0,
      expiredKeySeconds: 0,
    });
    expect(result.perPair).toHaveLength(6);
    for (const pair of result.perPair)
      expect(pair, `${pair.accountId}/${pair.region}`).toMatchObject({ expiredSeconds: 0 });
    for (const key of result.perKey) {
      expect(key.expiredSeconds, `${key.accountId}/${key.region}/${key.keyId}`).toBe(0);
      for (const material of key.materials) expect(material.expiredSeconds).toBe(0);
      // Every material was reimported on schedule (validities are 30 to 90 days over 400 days).
      expect(key.reimports, `${key.accountId}/${key.region}/${key.keyId}`).toBeGreaterThanOrEqual(3);
    }
    expect(new Set(result.perKey.map((key) => key.keySpec))).toEqual(
      new Set(['SYMMETRIC_DEFAULT', 'HMAC_256', 'ECC_NIST_P256', 'RSA_2048']),
    );
    expect(result.perKey.filter((key) => key.role === 'REPLICA')).toHaveLength(3);
    expect(result.rotations).toBeGreaterThanOrEqual(4);
    expect(result.perKey.some((key) => key.materials.length >= 4)).toBe(true);
    expect(result.fleetRuns).toBeGreaterThanOrEqual(400);
  }, 1_800_000);
});
