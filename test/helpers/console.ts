// `byok console` in its own process, as a user runs it (its URL is the first line on stdout), and
// Debian's Chromium driven by playwright-core (no browser download), started with the flags that
// keep it off the network.
import { mkdir } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
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

export interface ConsoleAnswer {
  url: string;
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A request to a console from this process. The console's origin is `http://c-<hex>.localhost:<port>`
 * (a new name at every start), which browsers and curl resolve to loopback but Node's DNS does not
 * (ENOTFOUND): connect to 127.0.0.1 at the console's port and send the console's Host, as a browser does.
 */
export function consoleRequest(
  origin: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<ConsoleAnswer> {
  const target = new URL(path, origin);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: Number(target.port),
        path: `${target.pathname}${target.search}`,
        method: options.method ?? 'GET',
        headers: { ...options.headers, host: target.host },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () =>
          resolve({ url: target.href, status: res.statusCode ?? 0, headers: res.headers, body }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}
