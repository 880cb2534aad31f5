// `byok console` in its own process, as a user runs it (its URL is the first line on stdout), and
// Debian's Chromium driven by playwright-core (no browser download), started with the flags that
// keep it off the network.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { type ByokProcess, spawnByok } from './byok-process.ts';

export const CONSOLE_ARTIFACTS_DIR = join(import.meta.dirname, '..', '..', 'test-artifacts', 'console');

export type ConsoleProcess = ByokProcess;

export function spawnConsole(args: readonly string[], env: NodeJS.ProcessEnv = {}): ConsoleProcess {
  return spawnByok(['console'], args, env);
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
