// Issue 16, item 3: `byok console --host <non-loopback>` serves the console (and the session secret
// that travels with every request) to the network. It is refused unless TLS material is given
// (then the console serves HTTPS) or --allow-plain-http says plain HTTP is accepted; either way the
// exposure is announced on stderr. Run as a user runs it (`byok console` in its own process); the
// TLS material is a throwaway self-signed certificate made with openssl. Only 127.0.0.1 is ever
// connected to.
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { type ConsoleProcess, spawnConsole } from '../../helpers/console.ts';

const run = promisify(execFile);

/** The session secret of a printed console URL, wherever the URL carries it. */
function sessionSecretOf(url: string): string {
  const parsed = new URL(url);
  const secret =
    parsed.searchParams.get('session') ??
    new URLSearchParams(parsed.hash.replace(/^#\/?/, '')).get('session');
  if (!secret) throw new Error(`no session secret in ${url}`);
  return secret;
}

/** stderr of a console process, as far as it got. */
function stderrOf(process: ConsoleProcess): () => string {
  let text = '';
  process.child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  return () => text;
}

function httpsGet(
  port: number,
  path: string,
  ca: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, ca, headers: { host: `127.0.0.1:${port}`, ...headers } },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('byok console --host: the network only over TLS, or with plain HTTP accepted out loud', () => {
  let stack: LocalStack;
  let dir: string;
  let cert: string;
  let key: string;
  const started: ConsoleProcess[] = [];

  function consoleWith(args: string[]): ConsoleProcess {
    const process = spawnConsole(['--endpoint', stack.url, ...args]);
    started.push(process);
    return process;
  }

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    dir = await mkdtemp(join(tmpdir(), 'byok-console-tls-'));
    cert = join(dir, 'cert.pem');
    key = join(dir, 'key.pem');
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=byok console test',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ]);
    await chmod(key, 0o600);
  });

  afterAll(async () => {
    for (const process of started) await process.stop();
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a non-loopback --host without TLS material, naming the error and both ways out', async () => {
    // Act
    const refused = consoleWith(['--host', '0.0.0.0']);
    const outcome = await refused.url.then(
      (url) => ({ url, error: '' }),
      (error: Error) => ({ url: '', error: error.message }),
    );

    // Assess: nothing served, one named error with its hint, no stack.
    expect(outcome.url).toBe('');
    expect(outcome.error).toContain('byok: ConsoleBindRefusedError');
    expect(outcome.error).toContain('--tls-cert');
    expect(outcome.error).toContain('--allow-plain-http');
    expect(outcome.error).not.toMatch(/\n\s+at /);
  });

  it('serves plain HTTP beyond loopback only with --allow-plain-http, and warns on stderr', async () => {
    // Act
    const plain = consoleWith(['--host', '0.0.0.0', '--allow-plain-http']);
    const stderr = stderrOf(plain);
    const url = await plain.url;
    await new Promise((resolve) => setTimeout(resolve, 200));

    // Assess
    expect(url).toMatch(/^http:\/\//);
    expect(stderr()).toMatch(/WARNING.*plain HTTP/);
    expect(stderr()).toContain('0.0.0.0');
  });

  it('serves HTTPS with --tls-cert and --tls-key: the page and, with the session, the API', async () => {
    // Prepare
    const ca = await readFile(cert, 'utf8');

    // Act
    const tls = consoleWith(['--host', '0.0.0.0', '--tls-cert', cert, '--tls-key', key]);
    const stderr = stderrOf(tls);
    const url = await tls.url;
    const port = Number(new URL(url).port);
    const page = await httpsGet(port, '/', ca);
    const withoutSession = await httpsGet(port, '/api/keys', ca);
    const withSession = await httpsGet(port, '/api/keys', ca, { 'x-byok-session': sessionSecretOf(url) });

    // Assess
    expect(url).toMatch(/^https:\/\//);
    expect(page.status).toBe(200);
    expect(page.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(withoutSession.status).toBe(401);
    expect(withSession.status).toBe(200);
    expect(stderr()).toContain('HTTPS');
  });

  it.each([
    [
      'a key file others can read',
      () => ['--tls-cert', cert, '--tls-key', `${key}.open`],
      'ConsoleTlsKeyExposedError',
    ],
    ['a certificate without its key', () => ['--tls-cert', cert], 'ConsoleTlsMaterialError'],
    [
      'a file that is not a certificate',
      () => ['--tls-cert', key, '--tls-key', key],
      'ConsoleTlsMaterialError',
    ],
  ])('refuses %s with a named error, before serving anything', async (_case, args, error) => {
    // Prepare
    await copyFile(key, `${key}.open`);
    await chmod(`${key}.open`, 0o644);

    // Act
    const refused = consoleWith(['--host', '0.0.0.0', ...args()]);
    const message = await refused.url.then(
      () => '',
      (failure: Error) => failure.message,
    );

    // Assess
    expect(message).toContain(`byok: ${error}`);
    expect(message).not.toContain('PRIVATE KEY');
  });
});
