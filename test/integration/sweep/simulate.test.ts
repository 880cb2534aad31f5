// Acceptance 1: `byok simulate --days 400 --keys 12 --json` on the embedded stack, end to end
// through the CLI: zero seconds without material, zero failed executions, and each key reimported
// exactly as often as its validity and the lead window imply (once at the first sweep after each
// due time: never late, never early, never extra).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { SimulationResult } from '../../../src/onprem/simulation/simulation.ts';

const run = promisify(execFile);
const BYOK = ['bin/byok.js'];

describe('byok simulate', () => {
  it('keeps 12 keys of mixed specs and validities alive for 400 days', async () => {
    // Act
    const { stdout } = await run('node', [...BYOK, 'simulate', '--days', '400', '--keys', '12', '--json'], {
      cwd: process.cwd(),
      maxBuffer: 16 * 1024 * 1024,
    });

    // Assess
    const lines = stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1] as string) as SimulationResult;
    expect(result).toMatchObject({
      days: 400,
      keys: 12,
      failedExecutions: 0,
      expiredKeySeconds: 0,
      expirations: 0,
    });
    expect(new Set(result.perKey.map((key) => key.keySpec))).toEqual(
      new Set(['SYMMETRIC_DEFAULT', 'HMAC_256', 'ECC_NIST_P256', 'RSA_2048']),
    );
    expect(Math.min(...result.perKey.map((key) => key.validForDays))).toBe(30);
    expect(Math.max(...result.perKey.map((key) => key.validForDays))).toBe(90);
    for (const key of result.perKey) {
      expect(key.reimports, `reimports of ${key.keyId} (${key.validForDays} days)`).toBe(
        key.expectedReimports,
      );
      // A key valid for V days with a 14-day lead is reimported every V-14 days (daily sweep: +1).
      for (const interval of key.intervalsDays.slice(1)) {
        expect(interval).toBeGreaterThanOrEqual(key.validForDays - 14 - 0.01);
        expect(interval).toBeLessThanOrEqual(key.validForDays - 13 + 0.01);
      }
      expect(key.expectedReimports).toBeGreaterThanOrEqual(Math.floor(400 / key.validForDays));
    }
    expect(result.reimports).toBe(result.perKey.reduce((sum, key) => sum + key.reimports, 0));
    expect(result.sweeps).toBe(400);
  }, 180_000);

  it('refuses a bad option with one clear line and no stack trace', async () => {
    // Act
    const failed = await run('node', [...BYOK, 'simulate', '--days', '0', '--keys', '12']).catch(
      (error: { code: number; stderr: string }) => error,
    );

    // Assess
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/--days.*expected a whole number 1\.\.3650/);
    expect((failed as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
  });
});
