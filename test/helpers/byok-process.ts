// A `byok` command in its own process, as a user runs it: one that ends (`runByok`), or one that
// serves until stopped (`local up`, `console`: ready once a URL is the first line on stdout).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';

const byok = join(import.meta.dirname, '..', '..', 'bin', 'byok.js');

export interface ByokProcess {
  child: ChildProcess;
  /** The first line on stdout (a URL); rejects with stderr if the process exits before printing it. */
  url: Promise<string>;
  /** SIGTERM (if still running); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Spawns `byok <command...> <args>`; the child is returned at once so that a caller can always stop it. */
export function spawnByok(
  command: readonly string[],
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): ByokProcess {
  const child = spawn(process.execPath, [byok, ...command, ...args], {
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
    child.once('exit', (code) => reject(new Error(`byok ${command.join(' ')} exited ${code}: ${stderr}`)));
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

export interface ByokRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `byok <args>` to its end (at most 30 s); resolves with its exit code and output, never rejects. */
export function runByok(args: readonly string[]): Promise<ByokRun> {
  return new Promise((done) => {
    execFile(process.execPath, [byok, ...args], { timeout: 30_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
