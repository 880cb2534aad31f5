// Security review G3, over real HTTP: the local stack answers only requests addressed to it by a
// loopback name and its own port, so a web page that rebinds its DNS name to 127.0.0.1 cannot drive
// it, and it refuses any request that carries an Origin header (browsers send one, SDKs do not).
// Real SDK clients keep working. A stack bound beyond loopback (`--public-bind`) skips the Host check.
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { kmsClient } from '../../helpers/local-kms-support.ts';
import { type RawAnswer, rawRequest } from '../../helpers/raw-http.ts';

/** One raw request with exactly these headers: GET, or POST when there is a body. */
function send(url: string, path: string, headers: Record<string, string>, body = ''): Promise<RawAnswer> {
  return rawRequest(url, { method: body ? 'POST' : 'GET', path, headers, body });
}

const LIST_KEYS = {
  'x-amz-target': 'TrentService.ListKeys',
  'content-type': 'application/x-amz-json-1.1',
};

describe('local stack bound to loopback', () => {
  let stack: LocalStack;
  let port: string;

  beforeAll(async () => {
    stack = await startLocalStack({ kmsPrewarmWrappingKeys: [] });
    port = new URL(stack.url).port;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each([
    ['a rebinding name', 'attacker.example'],
    ['a rebinding name on the right port', 'attacker.example:PORT'],
    ['localhost on another port', 'localhost:1'],
    ['127.0.0.1 on another port', '127.0.0.1:1'],
    ['a look-alike name', 'localhost.attacker.example:PORT'],
  ])('answers 403 to a Host of %s, on AWS and admin paths', async (_what, host) => {
    // Prepare
    const hostHeader = host.replace('PORT', port);

    // Act
    const aws = await send(stack.url, '/', { ...LIST_KEYS, host: hostHeader }, '{}');
    const admin = await send(stack.url, '/_byok/health', { host: hostHeader });

    // Assess
    expect(aws.status).toBe(403);
    expect(JSON.parse(aws.body)).toMatchObject({ __type: 'AccessDeniedException' });
    expect(aws.body).not.toContain('attacker');
    expect(admin.status).toBe(403);
  });

  it('answers 403 to a request with an Origin header, even with a loopback Host', async () => {
    // Act
    const answer = await send(
      stack.url,
      '/',
      { ...LIST_KEYS, host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` },
      '{}',
    );

    // Assess
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toMatchObject({ __type: 'AccessDeniedException' });
  });

  it.each(['127.0.0.1', 'localhost', 'LOCALHOST', '[::1]'])('serves Host %s with its port', async (name) => {
    // Act
    const aws = await send(stack.url, '/', { ...LIST_KEYS, host: `${name}:${port}` }, '{}');
    const admin = await send(stack.url, '/_byok/health', { host: `${name}:${port}` });

    // Assess
    expect(aws.status).toBe(200);
    expect(JSON.parse(aws.body)).toMatchObject({ Keys: [] });
    expect(admin.status).toBe(200);
  });

  it('keeps serving a real SDK client, by 127.0.0.1 and by localhost', async () => {
    // Prepare
    const byAddress = kmsClient(stack.url);
    const byName = kmsClient(`http://localhost:${port}`);

    // Act
    const listed = await Promise.all([
      byAddress.send(new ListKeysCommand({})),
      byName.send(new ListKeysCommand({})),
    ]);
    byAddress.destroy();
    byName.destroy();

    // Assess
    expect(listed.map((output) => output.Keys)).toEqual([[], []]);
  });
});

describe('local stack bound beyond loopback (--public-bind)', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({ host: '0.0.0.0', kmsPrewarmWrappingKeys: [] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves any Host, and still refuses an Origin header', async () => {
    // Prepare
    const port = new URL(stack.url).port;
    const url = `http://127.0.0.1:${port}`;

    // Act
    const byOtherName = await send(url, '/', { ...LIST_KEYS, host: `byok.internal:${port}` }, '{}');
    const fromBrowser = await send(
      url,
      '/',
      { ...LIST_KEYS, host: `byok.internal:${port}`, origin: 'http://byok.internal' },
      '{}',
    );

    // Assess
    expect(byOtherName.status).toBe(200);
    expect(fromBrowser.status).toBe(403);
  });
});
