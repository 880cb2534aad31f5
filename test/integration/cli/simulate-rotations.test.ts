// Issue 9 acceptance 5: `byok simulate --days 400 --keys 12 --rotate-every 90d --json` through the
// CLI. The symmetric keys are rotated every 90 days through the real rotation workflow (approved
// by two simulated identities through the approvals API), so each ends with five materials from
// five HSM keys, and every material of every key must be reimported in time: 0 s expired, 0
// failed executions, each material reimported as often as its own validity implies.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { SimulationResult } from '../../../src/onprem/simulation/simulation.ts';

const run = promisify(execFile);

describe('byok simulate --rotate-every', () => {
  it('rotates the symmetric keys every 90 days and keeps every material of 12 keys imported for 400 days', async () => {
    // Act
    const { stdout } = await run(
      'node',
      ['bin/byok.js', 'simulate', '--days', '400', '--keys', '12', '--rotate-every', '90d', '--json'],
      { cwd: process.cwd(), maxBuffer: 16 * 1024 * 1024 },
    );

    // Assess
    const lines = stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1] as string) as SimulationResult;
    expect(result).toMatchObject({
      days: 400,
      keys: 12,
      failedExecutions: 0,
      failedRotations: 0,
      expiredKeySeconds: 0,
      expirations: 0,
    });
    const symmetric = result.perKey.filter((key) => key.keySpec === 'SYMMETRIC_DEFAULT');
    // 12 keys cycle through 4 specs: 3 symmetric keys, rotated on days 90, 180, 270 and 360.
    expect(symmetric).toHaveLength(3);
    expect(result.rotations).toBe(3 * Math.floor(400 / 90));
    for (const key of symmetric) {
      expect(key.rotations).toBe(4);
      expect(key.materials).toHaveLength(5);
      expect(key.materials.filter((material) => material.state === 'CURRENT')).toHaveLength(1);
      // Each material comes from its own HSM key, recorded in KMS and read back by the sweep.
      expect(new Set(key.materials.map((material) => material.hsmKeyLabel)).size).toBe(5);
    }
    expect(result.materials).toBe(9 + 3 * 5);
    for (const key of result.perKey) {
      for (const material of key.materials) {
        expect(material.reimports, `reimports of ${key.keyId} material ${material.keyMaterialId}`).toBe(
          material.expectedReimports,
        );
      }
      expect(key.reimports).toBe(key.materials.reduce((sum, material) => sum + material.reimports, 0));
    }
    // The first material of a 30-day key, rotated away from on day 90, is still reimported all year.
    const oldest = symmetric.find((key) => key.validForDays === 30)?.materials[0];
    expect(oldest?.state).toBe('NON_CURRENT');
    expect(oldest?.reimports).toBeGreaterThanOrEqual(Math.floor(400 / 30));
  }, 600_000);

  it('refuses a cadence that is not whole days with one clear line', async () => {
    // Act
    const failed = await run('node', [
      'bin/byok.js',
      'simulate',
      '--days',
      '10',
      '--rotate-every',
      'quarterly',
    ]).catch((error: { code: number; stderr: string }) => error);

    // Assess
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(/--rotate-every.*expected whole days 1\.\.3650/);
    expect((failed as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
  });
});
