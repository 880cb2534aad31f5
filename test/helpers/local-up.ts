// `byok local up` in its own process, as a user runs it: the stack is ready once its URL is the
// first line on stdout.
import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { HsmKeyType } from '../../src/hsm/port.ts';
import { createTestToken } from './hsm.ts';

const byok = join(import.meta.dirname, '..', '..', 'bin', 'byok.js');

export interface LocalUpProcess {
  child: ChildProcess;
  /** The stack's URL; rejects with its stderr if the process exits before printing it. */
  url: Promise<string>;
  /** SIGTERM (if still running); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `byok local up <args>`; the child is returned at once so that a caller can always stop it. */
export function spawnLocalUp(args: readonly string[], env: NodeJS.ProcessEnv = {}): LocalUpProcess {
  const child = spawn(process.execPath, [byok, 'local', 'up', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) resolve(line);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`byok local up exited ${code}: ${stderr}`)));
  });
  return {
    child,
    url,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exit;
    },
  };
}

export interface LocalUpOverToken {
  /** The stack's URL (see LocalUpProcess.url). */
  url: Promise<string>;
  /** Stops the process and deletes the temp BYOK_HOME. */
  stop(): Promise<void>;
}

/**
 * `byok local up --port 0 --memory` over a fresh NSS token (temp BYOK_HOME) holding `keys`; the
 * token is closed here because the server process opens it itself. Returns once the process is
 * started, so that a caller can always stop it, even if it never prints its URL.
 */
export async function startLocalUpOverToken(
  keys: Array<{ label: string; type: HsmKeyType }>,
): Promise<LocalUpOverToken> {
  const token = await createTestToken('nss', { keys });
  await token.hsm?.close();
  const server = spawnLocalUp(['--port', '0', '--memory'], { BYOK_HOME: token.byokHome });
  return {
    url: server.url,
    async stop() {
      await server.stop();
      await rm(token.byokHome, { recursive: true, force: true });
    },
  };
}
