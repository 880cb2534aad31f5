// `byok console` in its own process, as a user runs it (its URL is the first line on stdout), and
// Debian's Chromium driven by playwright-core (no browser download), started with the flags that
// keep it off the network.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

const byok = join(import.meta.dirname, '..', '..', 'bin', 'byok.js');

export const CONSOLE_ARTIFACTS_DIR = join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');

export interface ConsoleProcess {
  child: ChildProcess;
  /** The URL with the session secret; rejects with stderr if the process exits before printing it. */
  url: Promise<string>;
  stop(): Promise<number | null>;
}

export function spawnConsole(args: readonly string[], env: NodeJS.ProcessEnv = {}): ConsoleProcess {
  const child = spawn(process.execPath, [byok, 'console', ...args], {
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
    child.once('exit', (code) => reject(new Error(`byok console exited ${code}: ${stderr}`)));
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

/** Headless Debian Chromium; flags as the machine notes give them (no sandbox as root, no network). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.BYOK_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function artifactPath(name: string): Promise<string> {
  await mkdir(CONSOLE_ARTIFACTS_DIR, { recursive: true });
  return join(CONSOLE_ARTIFACTS_DIR, name);
}
