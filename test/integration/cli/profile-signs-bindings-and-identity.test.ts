// --profile signs every call it should: `byok bindings` on AWS (the administrators' table is written
// with the administrator's profile, and the recorder names that profile's identity), and the console's
// "You are …" (the identity its votes are signed with, which decides where Approve is offered). Both
// used to drop the profile: the table's client and the two STS clients signed with the default chain
// (here the environment's AKIDENV). A capture server stands in for DynamoDB and STS
// (AWS_ENDPOINT_URL_DYNAMODB / _STS) and records which access key signed each request.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recorder } from '../../../src/onprem/cli/commands/bindings/action.ts';
import { createConsoleApprovals } from '../../../src/onprem/console/approvals.ts';
import type { ConsoleBackend } from '../../../src/onprem/console/backend.ts';

const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');
const home = mkdtempSync(join(tmpdir(), 'byok-profile-signs-'));
const CONFIG = join(home, 'config');
const CREDENTIALS = join(home, 'credentials');
writeFileSync(CONFIG, ['[profile admin]', 'region = eu-west-1', ''].join('\n'));
writeFileSync(
  CREDENTIALS,
  ['[admin]', 'aws_access_key_id = AKIDADMIN', 'aws_secret_access_key = admin-secret', ''].join('\n'),
);

/** Which access key signed each request, with the service it went to. */
const signed: { service: string; accessKeyId: string }[] = [];
let server: Server;
let url: string;

function accessKeyOf(authorization: string | undefined): string {
  return /Credential=([^/]+)\//.exec(authorization ?? '')?.[1] ?? '(unsigned)';
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const accessKeyId = accessKeyOf(request.headers.authorization);
    const target = String(request.headers['x-amz-target'] ?? '');
    request.resume();
    request.on('end', () => {
      if (target.startsWith('DynamoDB_')) {
        signed.push({ service: 'dynamodb', accessKeyId });
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ Items: [], Count: 0, ScannedCount: 0 }));
        return;
      }
      // Anything else is STS's GetCallerIdentity (query protocol): the caller named by its key.
      signed.push({ service: 'sts', accessKeyId });
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>arn:aws:iam::111122223333:user/${accessKeyId}</Arn><UserId>${accessKeyId}</UserId>` +
          `<Account>111122223333</Account></GetCallerIdentityResult>` +
          `<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(home, { recursive: true, force: true });
});

/** The environment of both: the profile files, other credentials in the environment, the capture server. */
function awsEnv(): Record<string, string> {
  return {
    AWS_CONFIG_FILE: CONFIG,
    AWS_SHARED_CREDENTIALS_FILE: CREDENTIALS,
    AWS_ACCESS_KEY_ID: 'AKIDENV',
    AWS_SECRET_ACCESS_KEY: 'env-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_DYNAMODB: url,
    AWS_ENDPOINT_URL_STS: url,
  };
}

/** Runs `body` with awsEnv() in this process's environment, then puts the environment back. */
async function withAwsEnv<T>(body: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, awsEnv());
  try {
    return await body();
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

describe('--profile signs the bindings table and the identities byok shows', () => {
  it("reads the bindings table with the profile's credentials, not the environment's", async () => {
    // Prepare
    signed.length = 0;
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('BYOK_')),
    );

    // Act
    const result = await new Promise<{ code: number; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [byok, 'bindings', 'list', '--bindings-table', 'byok-dev-bindings', '--profile', 'admin'],
        { env: { ...clean, HOME: home, ...awsEnv() }, timeout: 60_000 },
        (error, _stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stderr }),
      );
    });

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(signed.filter((call) => call.service === 'dynamodb')).toEqual([
      { service: 'dynamodb', accessKeyId: 'AKIDADMIN' },
    ]);
  });

  it("records a binding's author as the profile's identity", async () => {
    // Prepare
    signed.length = 0;

    // Act
    const author = await withAwsEnv(() =>
      recorder({ region: 'eu-west-1', regionSource: '--region', profile: 'admin' }),
    );

    // Assess
    expect(author).toBe('arn:aws:iam::111122223333:user/AKIDADMIN');
    expect(signed).toEqual([{ service: 'sts', accessKeyId: 'AKIDADMIN' }]);
  });

  it("shows the console user the profile's identity, the one its votes are signed with", async () => {
    // Prepare: a console against AWS (no endpoint); only the Region of its Step Functions client is read.
    signed.length = 0;
    const backend = { endpoint: undefined, sfn: { config: { region: async () => 'eu-west-1' } } };

    // Act
    const identity = await withAwsEnv(() =>
      createConsoleApprovals(backend as unknown as ConsoleBackend, 'eu-west-1', 'admin').identity(),
    );

    // Assess
    expect(identity).toBe('arn:aws:iam::111122223333:user/AKIDADMIN');
    expect(signed).toEqual([{ service: 'sts', accessKeyId: 'AKIDADMIN' }]);
  });
});
