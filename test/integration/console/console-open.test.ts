// Issue 16, item 3: `byok console --open` must not put the session secret on a command line (any
// local user can read /proc/<pid>/cmdline). The platform's opener (xdg-open here) is replaced by a
// script first on PATH that records its argv and environment; the secret must be in neither, and
// what it was handed (a launch file only this user can read) must still open a working console in
// real Chromium.
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { artifactPath, type ConsoleProcess, launchChromium, spawnConsole } from '../../helpers/console.ts';

/** The session secret of a printed console URL, wherever the URL carries it. */
function sessionSecretOf(url: string): string {
  const parsed = new URL(url);
  const secret =
    parsed.searchParams.get('session') ??
    new URLSearchParams(parsed.hash.replace(/^#\/?/, '')).get('session');
  if (!secret) throw new Error(`no session secret in ${url}`);
  return secret;
}

async function waitForFile(path: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text !== undefined) return text;
    if (Date.now() > deadline) throw new Error(`the opener never ran (${path})`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('byok console --open: the secret on no command line', () => {
  let stack: LocalStack;
  let openerDir: string;
  let consoleProcess: ConsoleProcess | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    openerDir = await mkdtemp(join(tmpdir(), 'byok-opener-'));
    // The opener records its arguments (NUL-separated, as /proc/<pid>/cmdline shows them) and its environment.
    const opener = join(openerDir, 'xdg-open');
    await writeFile(
      opener,
      '#!/bin/sh\nprintf \'%s\\0\' "$0" "$@" > "$BYOK_TEST_OPENER_DIR/argv.tmp"\nenv > "$BYOK_TEST_OPENER_DIR/env"\nmv "$BYOK_TEST_OPENER_DIR/argv.tmp" "$BYOK_TEST_OPENER_DIR/argv"\n',
    );
    await chmod(opener, 0o755);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await consoleProcess?.stop();
    await stack?.stop();
    if (openerDir) await rm(openerDir, { recursive: true, force: true });
  });

  it('hands the opener a launch file only this user can read, not the secret, and the file opens a working console', async () => {
    // Prepare
    consoleProcess = spawnConsole(['--endpoint', stack.url, '--open'], {
      PATH: `${openerDir}:${process.env.PATH ?? ''}`,
      BYOK_TEST_OPENER_DIR: openerDir,
    });
    const printed = await consoleProcess.url;
    const secret = sessionSecretOf(printed);

    // Act
    const argv = (await waitForFile(join(openerDir, 'argv'), 15_000)).split('\0').filter(Boolean);
    const environment = await readFile(join(openerDir, 'env'), 'utf8');

    // Assess: the secret is in neither the opener's command line nor its environment...
    expect(argv).toHaveLength(2);
    expect(argv.join(' ')).not.toContain(secret);
    expect(environment).not.toContain(secret);
    // ...it got a file that only this user can read, in a directory only this user can enter...
    const handed = argv[1] ?? '';
    const launchFile = handed.startsWith('file:') ? fileURLToPath(handed) : handed;
    const file = await stat(launchFile);
    const directory = await stat(dirname(launchFile));
    expect((file.mode & 0o777).toString(8)).toBe('600');
    expect((directory.mode & 0o777).toString(8)).toBe('700');
    expect([file.uid, directory.uid]).toEqual([process.getuid?.(), process.getuid?.()]);
    // ...and the browser that opens it lands in a working console, the secret gone from the address bar.
    const page = await (browser as Browser).newPage();
    const origin = new URL(printed).origin;
    const keysAnswer = page.waitForResponse((response) => response.url() === `${origin}/api/keys`);
    await page.goto(pathToFileURL(launchFile).href);
    expect((await keysAnswer).status()).toBe(200);
    await page.getByRole('heading', { name: 'Keys', level: 1 }).waitFor();
    expect(page.url().startsWith(`${origin}/`)).toBe(true);
    expect(page.url()).not.toContain(secret);
    await page.screenshot({ path: await artifactPath('open-launch-file.png') });
    // The launch file is gone once the console stops.
    await consoleProcess.stop();
    await expect(stat(launchFile)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
