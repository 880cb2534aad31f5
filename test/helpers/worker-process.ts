// `byok worker` in its own process, as an operator runs it beside the HSM: its per-task JSON lines
// (stdout) and notes (stderr) are collected, and it is stopped by signal, by its PID.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TaskLogLine } from '../../src/onprem/worker/worker.ts';

export const byokBin = join(import.meta.dirname, '..', '..', 'bin', 'byok.js');
const execFileAsync = promisify(execFile);

export interface WorkerProcess {
  child: ChildProcess;
  /** Per-task lines so far. */
  tasks(): TaskLogLine[];
  stderr(): string;
  /** Resolves once the worker polls (its "byok worker polling" note). */
  polling: Promise<void>;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits until `count` task lines are out (or the timeout). */
  waitForTasks(count: number, timeoutMs?: number): Promise<TaskLogLine[]>;
  /** SIGTERM, then SIGINT (ends a poll in flight at once); resolves with the exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnWorker(args: readonly string[], env: NodeJS.ProcessEnv): WorkerProcess {
  const child = spawn(process.execPath, [byokBin, 'worker', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let onPolling: () => void = () => {};
  const polling = new Promise<void>((resolve, reject) => {
    onPolling = resolve;
    child.once('exit', (code) => reject(new Error(`byok worker exited ${code}: ${stderr}`)));
  });
  polling.catch(() => {});
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (stderr.includes('byok worker polling')) onPolling();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const tasks = () =>
    stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as TaskLogLine);
  return {
    child,
    tasks,
    stderr: () => stderr,
    polling,
    exited,
    async waitForTasks(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (tasks().length < count) {
        if (Date.now() > deadline)
          throw new Error(`worker did ${tasks().length} of ${count} tasks: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return tasks();
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
        }, 200).unref();
      }
      return exited;
    },
  };
}

/** Runs a byok command to its end; never throws on a non-zero exit. */
export async function runByok(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [byokBin, ...args], {
      env: { ...process.env, ...env },
      maxBuffer: 10 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** Whether the process has a PKCS#11 native module or NSS's softoken mapped (Linux /proc). */
export async function mapsPkcs11(pid: number): Promise<string[]> {
  const maps = await readFile(`/proc/${pid}/maps`, 'utf8');
  return [
    ...new Set(
      maps
        .split('\n')
        .map((line) => line.split(/\s+/).slice(5).join(' '))
        .filter((path) => /pkcs11\.node|softokn|libsofthsm/i.test(path)),
    ),
  ];
}

/** Moves a local stack's virtual clock forward (POST /_byok/clock). */
export async function advanceClock(url: string, duration: string): Promise<void> {
  const response = await fetch(new URL('/_byok/clock', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advance: duration }),
  });
  if (!response.ok)
    throw new Error(`advancing the clock failed: ${response.status} ${await response.text()}`);
}
