import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);

// `byok demo` as a new user runs it (what `npm run demo` does after setup), in a fresh BYOK_HOME.
describe('byok demo', () => {
  let byokHome: string;

  beforeAll(async () => {
    byokHome = await mkdtemp(join(tmpdir(), 'byok-demo-'));
  });
  afterAll(async () => {
    await rm(byokHome, { recursive: true, force: true });
  });

  it('creates the token and keys, imports each family, prints proofs and a summary, and exits 0', async () => {
    // Act
    const { stdout, stderr } = await run(process.execPath, ['bin/byok.js', 'demo'], {
      env: { ...process.env, BYOK_HOME: byokHome },
    });

    // Assess
    expect(stdout).toContain(`Created a local nss token in ${join(byokHome, 'hsm')}`);
    for (const [family, keySpec, proof] of [
      ['symmetric', 'SYMMETRIC_DEFAULT', 'encrypt-decrypt'],
      ['HMAC', 'HMAC_256', 'mac-challenge'],
      ['RSA', 'RSA_3072', 'public-key'],
      ['ECC', 'ECC_NIST_P256', 'public-key'],
    ]) {
      expect(stdout).toMatch(
        new RegExp(`^${family} +${keySpec} +byok-demo-\\S+ +\\S+ +\\S+ +${proof} +[\\d.]+ s +verified$`, 'm'),
      );
    }
    expect(stdout).toContain('origin EXTERNAL, bound to the HSM key');
    expect(stdout).toContain('✔ mac-matches-hsm');
    expect(stdout).toContain('✔ public-key-matches-hsm');
    expect(stdout).toContain('All 4 imports verified');
    expect(stdout).not.toContain('✖');
    // Progress goes to stderr, as plain lines when not on a terminal.
    expect(stderr).toMatch(/^ {2}ECC VerifyImport: done in \d+ ms$/m);
    const config = JSON.parse(await readFile(join(byokHome, 'hsm', 'config.json'), 'utf8')) as {
      profile: string;
    };
    expect(config.profile).toBe('nss');
  });

  it('runs again on the same token, reusing the demo keys', async () => {
    // Act
    const { stdout } = await run(process.execPath, ['bin/byok.js', 'demo'], {
      env: { ...process.env, BYOK_HOME: byokHome },
    });

    // Assess
    expect(stdout).toContain('Using the local nss token');
    expect(stdout).toContain('(AES_256, reused)');
    expect(stdout).toContain('All 4 imports verified');
  });
});
