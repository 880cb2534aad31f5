// A `byok` command in its own process, as a user runs it, for the commands that serve until
// stopped (`local up`, `console`): ready once a URL is the first line on stdout.
import { type ChildProcess, spawn } from 'node:child_process';
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
