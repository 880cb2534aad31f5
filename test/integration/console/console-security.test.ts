// The console's HTTP defences, over real HTTP against a console on a local stack: the session secret
// (in the printed URL's fragment, then the x-byok-session header) on every API request and in no
// cookie, Host and Origin checked, the API refused to other origins (another port of this host
// included), POSTs with Origin only, a strict CSP with no inline script or style, and the
// server-side contract check of a start request.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { ConsoleBindRefusedError, ConsoleListenError } from '../../../src/onprem/console/errors.ts';
import { CONTENT_SECURITY_POLICY, SESSION_HEADER } from '../../../src/onprem/console/security.ts';
import { type ConsoleServer, startConsoleServer } from '../../../src/onprem/console/server.ts';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctionsWithLocalToken,
} from '../../../src/onprem/simulation/step-functions.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('byok console over HTTP: who gets in, and what the browser may do', () => {
  let stack: LocalStack;
  let stepFunctions: AttachedStepFunctions;
  let server: ConsoleServer;
  let secret: string;
  let host: string;

  /** A raw request, so that Host and Origin are exactly what the test says. */
  function send(
    path: string,
    options: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: server.port,
          path,
          method: options.method ?? 'GET',
          headers: { host, ...options.headers },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  const withSession = (headers: Record<string, string> = {}) => ({ [SESSION_HEADER]: secret, ...headers });

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    stepFunctions = attachLocalStepFunctionsWithLocalToken(stack, { byokHome: '/nonexistent-byok-home' });
    server = await startConsoleServer({ endpoint: stack.url });
    host = new URL(server.origin).host;
    secret = new URLSearchParams(new URL(server.url).hash.slice(1)).get('session') ?? '';
  });

  afterAll(async () => {
    await server?.close();
    await stepFunctions?.close();
    await stack?.stop();
  });

  it('prints the secret in the URL fragment (never sent by a browser) and sets no cookie', async () => {
    // Act
    const page = await send('/');
    const keys = await send('/api/keys', { headers: withSession() });

    // Assess
    expect(server.url).toMatch(/^http:\/\/c-[0-9a-f]{16}\.localhost:\d+\/#session=[A-Za-z0-9_-]{43}$/);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(page.status).toBe(200);
    expect(page.body).not.toContain(secret);
    expect(keys.status).toBe(200);
    for (const answer of [page, keys]) expect(answer.headers['set-cookie']).toBeUndefined();
  });

  it.each([
    ['no session header, API', '/api/keys', {}],
    ['no session header, approvals', '/api/approvals', {}],
    ['the secret in the query', `/api/keys?session=${'A'.repeat(43)}`, {}],
    ['a wrong session header', '/api/keys', { [SESSION_HEADER]: 'A'.repeat(43) }],
    ['the secret as a cookie', '/api/keys', { cookie: `byok_console=${'A'.repeat(43)}` }],
  ])('refuses a request with %s (401)', async (_case, path, headers) => {
    // Act
    const answer = await send(path, { headers: headers as Record<string, string> });

    // Assess
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'ConsoleSessionRequired' });
    expect(answer.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
  });

  it('refuses the real secret when it comes as a cookie or in the query instead of the header', async () => {
    // Act
    const asCookie = await send('/api/keys', {
      headers: { cookie: `byok_console_${server.port}=${secret}` },
    });
    const inQuery = await send(`/api/keys?session=${secret}`);

    // Assess
    expect([asCookie.status, inQuery.status]).toEqual([401, 401]);
  });

  it.each([
    ['a forged Host', { host: 'evil.example' }],
    ['a rebinding Host on the right port', { host: `attacker.example:${0}` }],
    ['the address it listens on (another origin than the printed one)', { host: '127.0.0.1:0' }],
    ['localhost on its port', { host: 'localhost:0' }],
    [
      'another .localhost name on its port (an earlier console’s)',
      { host: 'c-0123456789abcdef.localhost:0' },
    ],
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['an Origin on another local port', { origin: 'http://127.0.0.1:1' }],
    ['a cross-site fetch', { 'sec-fetch-site': 'cross-site' }],
    [
      'a fetch from another port of this host (same site, not same origin)',
      { 'sec-fetch-site': 'same-site' },
    ],
  ])('refuses %s even with the session (403)', async (_case, headers) => {
    // Prepare
    const forged = { ...headers } as Record<string, string>;
    if (forged.host?.endsWith(':0')) forged.host = forged.host.replace(/:0$/, `:${server.port}`);

    // Act
    const answer = await send('/api/keys', { headers: withSession(forged) });

    // Assess
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body).error).toMatch(/^Console(Host|Origin)Refused$/);
  });

  it('serves the page and its API with a strict CSP, and the page has no inline script or style', async () => {
    // Act
    const page = await send('/', { headers: withSession() });
    const script = await send('/assets/app.js', { headers: withSession() });
    const keys = await send('/api/keys', { headers: withSession() });

    // Assess
    for (const answer of [page, script, keys]) {
      expect(answer.status).toBe(200);
      expect(answer.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['x-frame-options']).toBe('DENY');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval)/);
    expect(page.body).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(page.body).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(script.body).not.toMatch(/\bnew Function\(|\beval\(/);
    expect(JSON.parse(keys.body)).toMatchObject({ keys: [], leadWindowDays: 14 });
  });

  it('sends the security headers on every answer: refusals, errors, 404s and static files alike', async () => {
    // Act: the page, a static file, 401, 403, 404 (public and API), 405, 400 and a run that is not byok's.
    const answers = await Promise.all([
      send('/'),
      send('/assets/app.css'),
      send('/api/keys'),
      send('/api/keys', { headers: { host: 'evil.example' } }),
      send('/assets/nope.js'),
      send('/api/nope', { headers: withSession() }),
      send('/api/keys', { method: 'DELETE', headers: withSession() }),
      send('/api/keys?leadWindowDays=abc', { headers: withSession() }),
      send('/api/runs/nope', { headers: withSession() }),
    ]);

    // Assess
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 401, 403, 404, 404, 405, 400, 404]);
    for (const answer of answers) {
      expect(answer.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
  });

  it.each([
    '/assets/%2e%2e/api/keys',
    '/assets/../api/keys',
    '/assets/..%2fapi/keys',
    '/assets/..%5capi/keys',
    '//api/keys',
    '/API/keys',
    '/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/assets/app.js/../../package.json',
    'http://evil.example/api/keys',
  ])('reaches neither a file nor the API without the session through %s', async (path) => {
    // Act
    const answer = await send(path);

    // Assess: refused or not found, and nothing but a JSON refusal in the body.
    expect([401, 404]).toContain(answer.status);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.body).not.toMatch(/root:|"keys"|"name":\s*"byok"/);
  });

  it('refuses a POST without the session, without an Origin, or by another method', async () => {
    // Prepare
    const body = JSON.stringify({ keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' });
    const json = { 'content-type': 'application/json' };

    // Act
    const noSession = await send('/api/imports', {
      method: 'POST',
      headers: { ...json, origin: server.origin },
      body,
    });
    const noOrigin = await send('/api/imports', {
      method: 'POST',
      headers: withSession(json),
      body,
    });
    const put = await send('/api/imports', {
      method: 'PUT',
      headers: withSession({ ...json, origin: server.origin }),
      body,
    });
    const preflight = await send('/api/imports', {
      method: 'OPTIONS',
      headers: { origin: 'http://127.0.0.1:1', 'access-control-request-headers': SESSION_HEADER },
    });

    // Assess
    expect([noSession.status, JSON.parse(noSession.body).error]).toEqual([401, 'ConsoleSessionRequired']);
    expect([noOrigin.status, JSON.parse(noOrigin.body).error]).toEqual([403, 'ConsoleOriginRefused']);
    expect([put.status, JSON.parse(put.body).error]).toEqual([405, 'ConsoleMethodRefused']);
    expect(preflight.status).toBe(403);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('puts the approvals routes behind the same session and Origin checks: a cross-site vote or request is refused', async () => {
    // Prepare
    const json = { 'content-type': 'application/json' };
    const vote = '/api/approvals/3f2c9a1e-0b7d-4c55-9a2e-5b1d2c3e4f50/vote';
    const voteBody = JSON.stringify({ decision: 'approve', reason: 'ok' });

    // Act
    const voteNoToken = await send(vote, {
      method: 'POST',
      headers: { ...json, origin: server.origin },
      body: voteBody,
    });
    const voteForeign = await send(vote, {
      method: 'POST',
      headers: withSession({ ...json, origin: 'http://evil.example' }),
      body: voteBody,
    });
    const rotationNoToken = await send('/api/rotations', {
      method: 'POST',
      headers: { ...json, origin: server.origin },
      body: JSON.stringify({ keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', reason: 'yearly' }),
    });
    const listNoSession = await send('/api/approvals');

    // Assess
    expect([voteNoToken.status, JSON.parse(voteNoToken.body).error]).toEqual([401, 'ConsoleSessionRequired']);
    expect(voteForeign.status).toBe(403);
    expect([rotationNoToken.status, JSON.parse(rotationNoToken.body).error]).toEqual([
      401,
      'ConsoleSessionRequired',
    ]);
    expect(listNoSession.status).toBe(401);
  });

  it('checks a start request again on the server with the zod contract (a page check can be skipped)', async () => {
    // Act
    const answer = await send('/api/imports', {
      method: 'POST',
      headers: withSession({
        'content-type': 'application/json',
        origin: server.origin,
      }),
      body: JSON.stringify({
        keyId: 'alias/payments',
        validForDays: 30,
        validTo: '2027-01-01T00:00:00Z',
        pin: '1234',
      }),
    });

    // Assess
    expect(answer.status).toBe(400);
    const refusal = JSON.parse(answer.body) as { error: string; issues: string[] };
    expect(refusal.error).toBe('ConsoleInvalidRequestError');
    expect(refusal.issues.join('\n')).toMatch(/unknown field\(s\) pin/);
    expect(refusal.issues.join('\n')).toMatch(/keyId/);
  });

  /**
   * A POST whose body never ends (Content-Length far beyond what is sent, or chunks without an end):
   * resolves with the answer if the console answers within 3 s, while the body is still open.
   */
  function postOpenBody(options: { contentLength?: number }): Promise<Answer | 'no answer'> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = withSession({
        host,
        origin: server.origin,
        'content-type': 'application/json',
      });
      if (options.contentLength !== undefined) headers['content-length'] = String(options.contentLength);
      const req = httpRequest(
        { host: '127.0.0.1', port: server.port, path: '/api/imports', method: 'POST', headers },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => {
            body += chunk.toString();
          });
          res.on('end', () => {
            clearTimeout(timer);
            req.destroy();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          });
        },
      );
      req.on('error', (error) => {
        if (!settled) reject(error);
      });
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        req.destroy();
        resolve('no answer');
      }, 3_000);
      // 256 KiB of a JSON string, in 16 KiB writes; the body is never ended.
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      req.write('{"keyId":"');
      for (let written = 0; written < 16; written += 1) req.write(chunk);
    });
  }

  it('refuses a body over 16 KiB before reading it: by its Content-Length, or chunked as it passes the limit', async () => {
    // Act: 1 GB announced, 256 KiB sent; and 256 KiB chunked, never ended.
    const announced = await postOpenBody({ contentLength: 1024 ** 3 });
    const chunked = await postOpenBody({});

    // Assess: both answered while the body was still coming (before: no answer until the whole
    // body had arrived, buffered in memory; a 300 MB body took the process to 1 GB).
    for (const answer of [announced, chunked]) {
      expect(answer).not.toBe('no answer');
      const { status, body } = answer as Answer;
      expect([status, JSON.parse(body).error]).toEqual([413, 'ConsoleBodyTooLargeError']);
    }
  });

  it('names a taken port with ConsoleListenError', async () => {
    // Act
    const taken = startConsoleServer({ endpoint: stack.url, port: server.port });

    // Assess
    await expect(taken).rejects.toBeInstanceOf(ConsoleListenError);
  });

  it('refuses to listen beyond loopback over plain HTTP unless accepted out loud', async () => {
    // Act
    const refused = startConsoleServer({ endpoint: stack.url, host: '0.0.0.0' });

    // Assess
    await expect(refused).rejects.toBeInstanceOf(ConsoleBindRefusedError);
  });
});
