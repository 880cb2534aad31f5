// The local stack's other loopback ports, as G3 guards the stack's own: the local DynamoDB
// (dynalite, which holds the approvals and import-runs tables) and the local approvals API. dynalite
// answers every CORS preflight with `Access-Control-Allow-Origin: *` and serves any Host, so a page
// of another local service (here: another 127.0.0.1 port, in real Chromium) read and could delete
// the tables; the approvals API served any Host, so a page whose name rebinds to 127.0.0.1 could
// request rotations and vote as any access key id it signs with. Both now refuse a request with an
// Origin header or a Host that is not a loopback name with their port; real SDK clients still work.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeSha256 } from '../../../src/core/approvals/sha256.ts';
import { createDynamoDbClient } from '../../../src/core/aws/clients.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { type LocalApprovals, startLocalApprovals } from '../../../src/onprem/simulation/approvals.ts';
import { launchChromium } from '../../helpers/console.ts';
import { rawRequest } from '../../helpers/raw-http.ts';

const send = rawRequest;

/** A GET of the approvals API's request list, SigV4-signed for `host` as a page could sign it. */
async function signedList(approvalsUrl: string, host: string): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'mallory', secretAccessKey: 'anything' },
    region: 'us-east-1',
    service: 'lambda',
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const url = new URL(approvalsUrl);
  const signed = await signer.sign({
    method: 'GET',
    protocol: 'http:',
    hostname: host.replace(/:\d+$/, ''),
    port: Number(url.port),
    path: '/requests',
    headers: { host },
  });
  return signed.headers;
}

/** The page of another local service: tries the local DynamoDB from inside the browser, reports. */
function neighbourPage(dynamoDbUrl: string): string {
  const script = `
    const tries = [];
    const dynamo = async (label, target, body) => {
      try {
        const r = await fetch(${JSON.stringify(`${dynamoDbUrl}/`)}, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-amz-json-1.0',
            'x-amz-target': 'DynamoDB_20120810.' + target,
            'x-amz-date': '20261207T120000Z',
            authorization: 'AWS4-HMAC-SHA256 Credential=page/20261207/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=' + '0'.repeat(64),
          },
          body: JSON.stringify(body),
        });
        tries.push(label + ':' + r.status + ':' + (await r.text()));
      } catch (e) { tries.push(label + ':threw:' + e.name); }
    };
    (async () => {
      await dynamo('list', 'ListTables', {});
      await dynamo('scan', 'Scan', { TableName: 'byok-approvals' });
      await fetch('/report', { method: 'POST', body: JSON.stringify(tries) });
      document.title = 'reported';
    })();`;
  return `<!doctype html><html><head><title>neighbour</title></head><body><script>${script}</script></body></html>`;
}

describe("the local stack's DynamoDB and approvals ports refuse browsers and foreign Host names", () => {
  let stack: LocalStack;
  let approvals: LocalApprovals;
  let neighbour: Server;
  let browser: Browser | undefined;
  const reports: string[][] = [];

  beforeAll(async () => {
    stack = await startLocalStack({ kmsPrewarmWrappingKeys: [] });
    approvals = await startLocalApprovals(stack);
    neighbour = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        if (req.url === '/report') {
          reports.push(JSON.parse(body) as string[]);
          res.writeHead(204).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html' }).end(neighbourPage(approvals.dynamoDbUrl));
      });
    });
    await new Promise<void>((resolve) => neighbour.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (neighbour ? neighbour.close(() => resolve()) : resolve()));
    await approvals?.stop();
    await stack?.stop();
  });

  it('a page of another 127.0.0.1 service cannot read the approvals table from the browser', async () => {
    // Prepare
    const page = await (browser as Browser).newPage();
    const port = (neighbour.address() as AddressInfo).port;

    // Act
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction('document.title === "reported"', undefined, { timeout: 5_000 });
    await page.close();

    // Assess: both calls failed in the browser (the preflight is refused); nothing of the tables came back.
    expect(reports).toEqual([['list:threw:TypeError', 'scan:threw:TypeError']]);
  });

  it('the local DynamoDB refuses an Origin header and a rebinding Host, and serves the SDK', async () => {
    // Prepare
    const port = new URL(approvals.dynamoDbUrl).port;
    const listTables = {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      'x-amz-date': '20261207T120000Z',
      authorization: `AWS4-HMAC-SHA256 Credential=x/20261207/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    };
    const client = createDynamoDbClient({ endpoint: approvals.dynamoDbUrl, region: 'us-east-1' });

    // Act
    const preflight = await send(approvals.dynamoDbUrl, {
      method: 'OPTIONS',
      path: '/',
      headers: {
        host: `127.0.0.1:${port}`,
        origin: 'http://127.0.0.1:9',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,x-amz-target,x-amz-date,content-type',
      },
    });
    const withOrigin = await send(approvals.dynamoDbUrl, {
      method: 'POST',
      path: '/',
      headers: { ...listTables, host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` },
      body: '{}',
    });
    const rebound = await send(approvals.dynamoDbUrl, {
      method: 'POST',
      path: '/',
      headers: { ...listTables, host: `attacker.example:${port}` },
      body: '{}',
    });
    const sdk = await client.send(new ListTablesCommand({}));
    client.destroy();

    // Assess
    expect(preflight.status).toBe(403);
    expect(withOrigin.status).toBe(403);
    expect(rebound.status).toBe(403);
    for (const refused of [preflight, withOrigin, rebound]) {
      expect(refused.body).not.toContain('byok-approvals');
      expect(refused.body).not.toContain('attacker.example');
    }
    expect(sdk.TableNames).toContain('byok-approvals');
  });

  it('the approvals API refuses a rebinding Host and an Origin header, and answers its own Host', async () => {
    // Prepare: what a rebinding page sends (its own name, signed as any access key id it likes).
    const port = new URL(approvals.url).port;
    const reboundHost = `attacker.example:${port}`;
    const ownHost = `127.0.0.1:${port}`;

    // Act
    const rebound = await send(approvals.url, {
      method: 'GET',
      path: '/requests',
      headers: await signedList(approvals.url, reboundHost),
    });
    const withOrigin = await send(approvals.url, {
      method: 'GET',
      path: '/requests',
      headers: { ...(await signedList(approvals.url, ownHost)), origin: `http://${ownHost}` },
    });
    const own = await send(approvals.url, {
      method: 'GET',
      path: '/requests',
      headers: await signedList(approvals.url, ownHost),
    });

    // Assess
    expect([rebound.status, JSON.parse(rebound.body).__type]).toEqual([403, 'AccessDeniedException']);
    expect(rebound.body).not.toContain('attacker.example');
    expect(withOrigin.status).toBe(403);
    expect([own.status, JSON.parse(own.body)]).toEqual([200, { requests: [] }]);
  });
});
