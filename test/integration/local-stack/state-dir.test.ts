// Issue 17, local state: one stack per state dir (a second is refused by name with the owner's pid
// and port), the account and Region kept with the state and used when not given, and a port in
// use named with a hint instead of `listen EADDRINUSE`.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LocalListenError,
  LocalStateLockedError,
  LocalStateMismatchError,
} from '../../../src/local/errors.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { spawnLocalUp } from '../../helpers/local-up.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/byok.js');
const dirs: string[] = [];
const stacks: LocalStack[] = [];

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'byok-state-'));
  dirs.push(dir);
  return join(dir, 'local');
}

async function start(options: Parameters<typeof startLocalStack>[0]): Promise<LocalStack> {
  const stack = await startLocalStack({ port: 0, ...options });
  stacks.push(stack);
  return stack;
}

afterEach(async () => {
  for (const stack of stacks.splice(0)) await stack.stop();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('one local stack per state dir', () => {
  it('refuses a second stack on the same dir by name, with the owner pid and port; takes it once the first stopped', async () => {
    // Prepare
    const dir = await stateDir();
    const first = await start({ stateDir: dir });

    // Act
    const second = await startLocalStack({ port: 0, stateDir: dir }).then(
      (stack) => stack,
      (error: unknown) => error,
    );
    await first.stop();
    const after = await start({ stateDir: dir });

    // Assess
    expect(second).toBeInstanceOf(LocalStateLockedError);
    expect((second as LocalStateLockedError).ownerPid).toBe(process.pid);
    expect((second as LocalStateLockedError).ownerPort).toBe(Number(new URL(first.url).port));
    expect((second as Error).message).toContain(`pid ${process.pid}`);
    expect(after.url).toMatch(/^http:/);
  });

  it('takes over the lock of a stack that was killed (its pid no longer runs)', async () => {
    // Prepare
    const dir = await stateDir();
    const stack = await start({ stateDir: dir });
    await stack.stop();
    stacks.pop();
    const dead = spawn(process.execPath, ['-e', '']);
    const deadPid = dead.pid as number;
    await new Promise((done) => dead.once('exit', done));
    await writeFile(
      join(dir, 'stack.lock'),
      `${JSON.stringify({ pid: deadPid, nonce: 'x', startedAt: '' })}\n`,
      {
        mode: 0o600,
      },
    );

    // Act
    const again = await start({ stateDir: dir });

    // Assess
    expect(JSON.parse(await readFile(join(dir, 'stack.lock'), 'utf8'))).toMatchObject({
      pid: process.pid,
      url: again.url,
    });
  });

  it('byok local up in another process is refused by name, naming the first one', async () => {
    // Prepare
    const dir = await stateDir();
    const first = spawnLocalUp(['--port', '0', '--state-dir', dir]);
    try {
      const url = await first.url;

      // Act
      const second = await new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(process.execPath, [BIN, 'local', 'up', '--port', '0', '--state-dir', dir]);
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        child.once('exit', (code) => done({ code, stderr }));
      });

      // Assess
      expect(second.code).toBe(1);
      expect(second.stderr).toContain('byok: LocalStateLockedError');
      expect(second.stderr).toContain(`pid ${first.child.pid}`);
      expect(second.stderr).toContain(`port ${new URL(url).port}`);
      expect(second.stderr).not.toMatch(/\n\s+at /);
    } finally {
      expect(await first.stop()).toBe(0);
    }
  });
});

describe('the account and Region belong to the state', () => {
  it('restarts without --account-id/--region on the ones the state was made with', async () => {
    // Prepare
    const dir = await stateDir();
    const first = await start({ stateDir: dir, accountId: '123456789012', region: 'eu-west-1' });
    await first.stop();

    // Act
    const again = await start({ stateDir: dir });

    // Assess
    expect({ accountId: again.accountId, region: again.region }).toEqual({
      accountId: '123456789012',
      region: 'eu-west-1',
    });
  });

  it('refuses another account or Region than the state was made with, by name', async () => {
    // Prepare
    const dir = await stateDir();
    const first = await start({ stateDir: dir, accountId: '123456789012' });
    await first.stop();

    // Act
    const account = await startLocalStack({ port: 0, stateDir: dir, accountId: '210987654321' }).catch(
      (error: unknown) => error,
    );
    const region = await startLocalStack({ port: 0, stateDir: dir, region: 'ap-south-1' }).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(account).toBeInstanceOf(LocalStateMismatchError);
    expect((account as Error).message).toContain('123456789012');
    expect(region).toBeInstanceOf(LocalStateMismatchError);
  });
});

describe('a port in use', () => {
  it('is LocalListenError with a hint, and the state dir is free again', async () => {
    // Prepare
    const taken = await start({});
    const port = Number(new URL(taken.url).port);
    const dir = await stateDir();

    // Act
    const refused = await startLocalStack({ port, stateDir: dir }).catch((error: unknown) => error);
    const next = await start({ stateDir: dir });

    // Assess
    expect(refused).toBeInstanceOf(LocalListenError);
    expect((refused as LocalListenError).hint).toContain('--port 0');
    expect(next.url).toMatch(/^http:/);
  });
});
