// scripts/build-pkcs11-layer.sh builds the PKCS#11 layer on Amazon Linux 2023 only. This machine
// is not one (docs/deploy.md says so), so what can be checked here is that the script is valid bash,
// validates its options, and refuses to build a layer that would not load in nodejs22.x.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', '..', 'scripts', 'build-pkcs11-layer.sh');
const packageJson = join(import.meta.dirname, '..', '..', 'package.json');

function runScript(...args: string[]) {
  return spawnSync('bash', [script, ...args], { encoding: 'utf8' });
}

describe('scripts/build-pkcs11-layer.sh', () => {
  it('is valid bash', () => {
    // Act
    const result = spawnSync('bash', ['-n', script], { encoding: 'utf8' });

    // Assess
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each([
    ['no vendor', [], /--vendor must be cloudhsm or custom/],
    ['cloudhsm without an HSM address', ['--vendor', 'cloudhsm'], /--hsm-ip is required/],
    [
      'a missing CA certificate',
      ['--vendor', 'cloudhsm', '--hsm-ip', '10.0.0.1', '--ca-cert', '/nope'],
      /--ca-cert/,
    ],
    ['an unknown option', ['--vendr', 'x'], /unknown option --vendr/],
  ])('refuses %s with a named problem and a hint', (_case, args, message) => {
    // Act
    const result = runScript(...args);

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('hint:');
  });

  it('refuses to build anywhere but Amazon Linux 2023 x86_64, saying why', () => {
    // Act: valid options, wrong machine (this one).
    const result = runScript(
      '--vendor',
      'cloudhsm',
      '--hsm-ip',
      '10.0.0.1',
      '--ca-cert',
      packageJson,
      '--out',
      '/tmp',
    );

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/not Amazon Linux 2023 x86_64: the layer would not load in nodejs22\.x/);
    expect(result.stderr).toContain('public.ecr.aws/sam/build-nodejs22.x');
  });

  it('pins the pkcs11js version the project uses', () => {
    // Prepare
    const pinned = (JSON.parse(readFileSync(packageJson, 'utf8')) as { dependencies: Record<string, string> })
      .dependencies.pkcs11js;

    // Assess
    expect(readFileSync(script, 'utf8')).toContain(`PKCS11JS_VERSION="${pinned}"`);
  });
});
