import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function startUp(args: string[]): LocalUpProcess {
  const up = spawnLocalUp(args, { BYOK_DEBUG: '' });
  children.push(up.child);
  return up;
}

async function byok(...args: string[]) {
  return run(process.execPath, [BIN, ...args]).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

describe('byok local up / byok local clock', () => {
  it('prints the URL once ready, moves the clock over HTTP, and stops cleanly on SIGTERM', async () => {
    // Prepare
    const stateDir = mkdtempSync(join(tmpdir(), 'byok-local-cli-'));
    dirs.push(stateDir);
    const up = startUp(['--port', '0', '--state-dir', join(stateDir, 'state')]);
    const url = await up.url;

    // Act
    const health = await (await fetch(`${url}/_byok/health`)).json();
    const shown = (await (await fetch(`${url}/_byok/clock`)).json()) as { now: string };
    const advanced = await byok('local', 'clock', 'advance', '25h', '--endpoint', url);
    const backwards = await byok('local', 'clock', 'set', '2001-01-01T00:00:00Z', '--endpoint', url);
    const exited = up.stop();

    // Assess
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(health).toMatchObject({ status: 'ok', services: expect.arrayContaining(['TrentService']) });
    const before = Date.parse(shown.now);
    const after = Date.parse(advanced.stdout.trim());
    expect(after - before).toBeGreaterThanOrEqual(25 * 3_600_000);
    expect(after - before).toBeLessThan(25 * 3_600_000 + 60_000);
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toMatch(/^byok: LocalEndpointError: the clock only moves forward/);
    expect(await exited).toBe(0);
    expect(existsSync(join(stateDir, 'state', 'master.key'))).toBe(true);
    expect(existsSync(join(stateDir, 'state', 'clock.json'))).toBe(true);
  });

  it('refuses a non-loopback host without --public-bind, and names a missing endpoint', async () => {
    // Act
    const publicHost = await byok('local', 'up', '--host', '0.0.0.0', '--memory');
    const noEndpoint = await byok('local', 'clock', 'show', '--endpoint', 'http://127.0.0.1:9');

    // Assess
    expect(publicHost.code).toBe(1);
    expect(publicHost.stderr).toContain('byok: LocalEndpointError: refusing to serve on 0.0.0.0');
    expect(noEndpoint.code).toBe(1);
    expect(noEndpoint.stderr).toContain(
      'byok: LocalEndpointError: no local stack answers at http://127.0.0.1:9',
    );
  });
});
