// Issue 16, item 3: a console session no other local process can use. Browsers scope cookies by
// host, not by port, so a session secret kept in a cookie for 127.0.0.1 goes to every other
// service on 127.0.0.1 the browser visits. Here real Chromium opens the console from its printed
// URL and works in it, then visits a second HTTP service on another 127.0.0.1 port (and on
// localhost), whose page also tries the console's API from inside the browser. That service must
// receive no session secret in any header, and nothing it received (replayed with the console's own
// Host and Origin, as a local process can) may open the console's API.
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { type ConsoleServer, startConsoleServer } from '../../../src/onprem/console/server.ts';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctionsWithLocalToken,
} from '../../../src/onprem/simulation/step-functions.ts';
import { artifactPath, launchChromium } from '../../helpers/console.ts';

/** The session secret of a printed console URL, wherever the URL carries it. */
function sessionSecretOf(url: string): string {
  const parsed = new URL(url);
  const secret =
    parsed.searchParams.get('session') ??
    new URLSearchParams(parsed.hash.replace(/^#\/?/, '')).get('session');
  if (!secret) throw new Error(`no session secret in ${url}`);
  return secret;
}

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A second local service: records everything it receives; its page tries the console from the browser. */
function neighbourPage(consoleOrigin: string): string {
  // What a page of another local service can try inside the browser: call the console's API with
  // the browser's credentials (cookies), both as a CORS fetch and as a no-cors one, and report.
  const script = `
    const tries = [];
    const attempt = async (label, run) => {
      try { const r = await run(); tries.push(label + ':' + r.status + ':' + (r.type || '')); }
      catch (e) { tries.push(label + ':threw:' + e.name); }
    };
    (async () => {
      await attempt('cors', () => fetch(${JSON.stringify(`${consoleOrigin}/api/keys`)}, { credentials: 'include' }));
      await attempt('no-cors', () => fetch(${JSON.stringify(`${consoleOrigin}/api/keys`)}, { credentials: 'include', mode: 'no-cors' }));
      await attempt('post', () => fetch(${JSON.stringify(`${consoleOrigin}/api/imports`)}, {
        method: 'POST', credentials: 'include', mode: 'no-cors',
        headers: { 'content-type': 'text/plain' }, body: '{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}' }));
      tries.push('storage:' + sessionStorage.length + ':' + localStorage.length + ':' + document.cookie);
      await fetch('/report', { method: 'POST', body: JSON.stringify(tries) });
      document.title = 'reported';
    })();`;
  return `<!doctype html><html><head><title>neighbour</title></head><body><p>another local service</p><script>${script}</script></body></html>`;
}

describe('byok console session: no other local service can use it (real Chromium)', () => {
  let stack: LocalStack;
  let stepFunctions: AttachedStepFunctions;
  let server: ConsoleServer;
  let neighbour: Server;
  let neighbourPort: number;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const received: Received[] = [];
  const reports: string[][] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    stepFunctions = attachLocalStepFunctionsWithLocalToken(stack, { byokHome: '/nonexistent-byok-home' });
    server = await startConsoleServer({ endpoint: stack.url });
    neighbour = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        if (req.url === '/report') {
          reports.push(JSON.parse(body) as string[]);
          res.writeHead(204).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html' }).end(neighbourPage(server.origin));
      });
    });
    await new Promise<void>((resolve) => neighbour.listen(0, '127.0.0.1', resolve));
    neighbourPort = (neighbour.address() as AddressInfo).port;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (neighbour ? neighbour.close(() => resolve()) : resolve()));
    await server?.close();
    await stepFunctions?.close();
    await stack?.stop();
  });

  /** A raw request to the console, with the Host and Origin a local process would forge. */
  function askConsole(
    path: string,
    headers: Record<string, string>,
    method = 'GET',
  ): Promise<{ status: number; body: string }> {
    const consoleUrl = new URL(server.origin);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: server.port,
          path,
          method,
          headers: { ...headers, host: consoleUrl.host, origin: server.origin },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(method === 'POST' ? '{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}' : undefined);
    });
  }

  it('works in the console, then visits another 127.0.0.1 service, which receives no session secret and cannot use the console', async () => {
    // Prepare: a working console session in this browser (the Keys page loaded its data).
    const secret = sessionSecretOf(server.url);
    const keysAnswer = page.waitForResponse((response) => response.url().includes('/api/keys'));
    await page.goto(server.url);
    await page.getByRole('heading', { name: 'Keys', level: 1 }).waitFor();
    expect((await keysAnswer).status()).toBe(200);
    await page.getByText('No byok-managed keys').waitFor();
    expect(page.url()).not.toContain(secret);

    // Act: the same browser visits the other service on the same host, another port, and on localhost.
    for (const host of ['127.0.0.1', 'localhost']) {
      await page.goto(`http://${host}:${neighbourPort}/`);
      await page.waitForFunction('document.title === "reported"', undefined, { timeout: 15_000 });
    }
    await page.screenshot({ path: await artifactPath('session-neighbour.png') });

    // Assess: nothing the neighbour received carries the secret...
    expect(received.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(received)).not.toContain(secret);
    // ...no cookie the browser holds carries it, for any host...
    const cookies = await context.cookies();
    expect(JSON.stringify(cookies)).not.toContain(secret);
    // ...the neighbour's page could neither read the console's answers nor see its storage...
    expect(reports).toHaveLength(2);
    for (const tries of reports) {
      expect(tries.filter((entry) => entry.startsWith('cors:'))).toEqual(['cors:threw:TypeError']);
      expect(tries.find((entry) => entry.startsWith('storage:'))).toBe('storage:0:0:');
    }
    // ...and every header it received, replayed by a local process with the console's own Host and
    // Origin, opens nothing.
    for (const request of received) {
      const replay = Object.fromEntries(
        Object.entries(request.headers)
          .filter(([name]) => !['host', 'origin', 'content-length', 'connection'].includes(name))
          .map(([name, value]) => [name, String(value)]),
      );
      const keys = await askConsole('/api/keys', replay);
      const page = await askConsole('/', replay);
      const start = await askConsole(
        '/api/imports',
        {
          ...replay,
          'content-type': 'application/json',
          'x-byok-csrf': /<meta name="byok-csrf" content="([^"]+)"/.exec(page.body)?.[1] ?? '',
        },
        'POST',
      );
      expect(keys.status).toBe(401);
      expect(start.status).toBe(401);
    }
  });

  it('keeps the session in the console tab itself: its API calls go through, with the secret in no cookie', async () => {
    // Prepare
    const secret = sessionSecretOf(server.url);
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(server.origin)) sent.push(JSON.stringify(request.headers()));
    });

    // Act: back in the console (the history's entry, as the Back button does), and a reload.
    await page.goto(`${server.origin}/#/runs`);
    await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
    const runsAnswer = page.waitForResponse((response) => response.url().endsWith('/api/runs'));
    await page.reload();
    const runsStatus = (await runsAnswer).status();
    const answer = await page.evaluate<{ status: number }>(
      `fetch('/api/keys').then((r) => ({ status: r.status }))`,
    );

    // Assess: the page's own calls carry the session (in a header the browser never sends elsewhere),
    // a bare fetch from the page without it is refused, and no cookie holds it.
    expect(runsStatus).toBe(200);
    expect(sent.some((headers) => headers.includes(secret))).toBe(true);
    expect(sent.filter((headers) => headers.includes('"cookie"'))).toEqual([]);
    expect(answer.status).toBe(401);
    expect(JSON.stringify(await context.cookies())).not.toContain(secret);
  });
});
