// `byok key create` as an administrator runs it: a real CLI process, a real NSS token under
// BYOK_HOME, the local stack over HTTP. For every key family it checks, creates the EXTERNAL key,
// tags it, binds the HSM key to it and imports; with --replica-regions the replicas get the
// material too. Every refusal comes before CreateKey: no key is left behind.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  KMSClient,
  ListKeysCommand,
  ListResourceTagsCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';

const BIN = resolve(import.meta.dirname, '../../../bin/byok.js');
const REGION = 'us-east-1';
const REPLICA_REGION = 'eu-west-1';
let home: string;
let stack: LocalStack;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function byok(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((done) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('BYOK_') && !name.startsWith('AWS_')),
    );
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...clean, BYOK_HOME: home, AWS_REGION: REGION, ...env } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function kms(region = REGION): KMSClient {
  return new KMSClient({
    endpoint: stack.url,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

async function keyCount(): Promise<number> {
  const client = kms();
  try {
    return (await client.send(new ListKeysCommand({}))).Keys?.length ?? 0;
  } finally {
    client.destroy();
  }
}

async function bindings(): Promise<{ hsmKeyLabel: string; keyArn: string }[]> {
  const response = await fetch(new URL('/_byok/bindings', stack.url));
  return ((await response.json()) as { bindings: { hsmKeyLabel: string; keyArn: string }[] }).bindings;
}

const createdArn = (stdout: string) => /created: KMS key (arn:\S+)/.exec(stdout)?.[1];

beforeAll(async () => {
  // Prepare: a token with one HSM key per family, and a local stack.
  home = await mkdtemp(join(tmpdir(), 'byok-key-create-'));
  expect((await byok(['hsm', 'init'])).code).toBe(0);
  for (const [label, type] of [
    ['kc-aes', 'AES_256'],
    ['kc-hmac', 'HMAC_256'],
    ['kc-rsa', 'RSA_2048'],
    ['kc-ecc', 'ECC_NIST_P256'],
    ['kc-mrk', 'AES_256'],
    ['kc-spare', 'AES_256'],
    ['kc-profile', 'AES_256'],
    ['kc-interrupted', 'AES_256'],
  ]) {
    const made = await byok(['hsm', 'create-key', '--label', label as string, '--type', type as string]);
    expect(made.code, made.stderr).toBe(0);
  }
  stack = await startLocalStack({ port: 0, region: REGION });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (home) await rm(home, { recursive: true, force: true });
});

/** Passes one request on to the local stack at `upstream` and its answer back (a recording proxy's rest). */
function forward(upstream: URL, request: IncomingMessage, response: ServerResponse): void {
  const forwarded = httpRequest(
    {
      host: upstream.hostname,
      port: upstream.port,
      path: request.url,
      method: request.method,
      headers: { ...request.headers, host: upstream.host },
    },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  request.pipe(forwarded);
}

describe('byok key create (local stack)', () => {
  it.each([
    ['symmetric', 'kc-aes', 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'],
    ['HMAC', 'kc-hmac', 'HMAC_256', 'GENERATE_VERIFY_MAC'],
    ['RSA', 'kc-rsa', 'RSA_2048', 'SIGN_VERIFY'],
    ['ECC', 'kc-ecc', 'ECC_NIST_P256', 'SIGN_VERIFY'],
  ])('creates, tags, binds and imports a %s key', async (_family, label, keySpec, usage) => {
    // Act
    const result = await byok([
      'key',
      'create',
      '--hsm-key',
      label,
      '--key-spec',
      keySpec,
      '--valid-for',
      '30d',
      '--endpoint',
      stack.url,
    ]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const arn = createdArn(result.stdout);
    expect(arn).toBeDefined();
    const client = kms();
    try {
      const metadata = (await client.send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata;
      expect(metadata).toMatchObject({
        Origin: 'EXTERNAL',
        KeySpec: keySpec,
        KeyUsage: usage,
        KeyState: 'Enabled',
      });
      const tags = (await client.send(new ListResourceTagsCommand({ KeyId: arn }))).Tags ?? [];
      expect(Object.fromEntries(tags.map((tag) => [tag.TagKey, tag.TagValue]))).toMatchObject({
        'byok:managed': 'true',
        'byok:hsm-key-label': label,
        'byok:valid-for-days': '30',
      });
    } finally {
      client.destroy();
    }
    expect(await bindings()).toContainEqual(expect.objectContaining({ hsmKeyLabel: label, keyArn: arn }));
  });

  it('signs the import with --profile too, not only the key it creates', async () => {
    // Prepare: a profile 'admin' (AKIDADMIN) beside other credentials in the environment (AKIDENV),
    // and a proxy in front of the stack that records which access key signed each KMS call.
    await writeFile(join(home, 'config'), '[profile admin]\nregion = us-east-1\n');
    await writeFile(
      join(home, 'credentials'),
      '[admin]\naws_access_key_id = AKIDADMIN\naws_secret_access_key = admin-secret\n',
    );
    const signed: { call: string; accessKeyId: string }[] = [];
    const upstream = new URL(stack.url);
    const proxy = createServer((request, response) => {
      const call = String(request.headers['x-amz-target'] ?? request.url);
      const accessKeyId = /Credential=([^/]+)\//.exec(request.headers.authorization ?? '')?.[1];
      if (call.startsWith('TrentService.')) signed.push({ call, accessKeyId: accessKeyId ?? '(unsigned)' });
      forward(upstream, request, response);
    });
    await new Promise<void>((listening) => proxy.listen(0, '127.0.0.1', listening));
    const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

    // Act
    const result = await byok(
      [
        'key',
        'create',
        '--hsm-key',
        'kc-profile',
        '--key-spec',
        'SYMMETRIC_DEFAULT',
        '--profile',
        'admin',
        '--endpoint',
        endpoint,
      ],
      {
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        AWS_ACCESS_KEY_ID: 'AKIDENV',
        AWS_SECRET_ACCESS_KEY: 'env-secret',
      },
    );
    await new Promise((closed) => proxy.close(closed));

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const calls = new Set(signed.map((entry) => entry.call));
    expect(calls).toContain('TrentService.CreateKey');
    expect(calls).toContain('TrentService.GetParametersForImport');
    expect(calls).toContain('TrentService.ImportKeyMaterial');
    expect(signed.filter((entry) => entry.accessKeyId !== 'AKIDADMIN')).toEqual([]);
  });

  it('Ctrl-C between its steps says what was done, what was in flight and how to finish', async () => {
    // Prepare: a proxy in front of the stack that never answers CreateAlias, the step to stop in.
    const upstream = new URL(stack.url);
    let aliasAsked: () => void = () => undefined;
    const asked = new Promise<void>((resolve) => {
      aliasAsked = resolve;
    });
    const held: ServerResponse[] = [];
    const proxy = createServer((request, response) => {
      if (request.headers['x-amz-target'] === 'TrentService.CreateAlias') {
        held.push(response);
        aliasAsked();
        return;
      }
      forward(upstream, request, response);
    });
    await new Promise<void>((listening) => proxy.listen(0, '127.0.0.1', listening));
    const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('BYOK_') && !name.startsWith('AWS_')),
    );
    const args = ['--alias', 'alias/kc-interrupted', '--endpoint', endpoint];
    const run = spawn(
      process.execPath,
      [BIN, 'key', 'create', '--hsm-key', 'kc-interrupted', '--key-spec', 'SYMMETRIC_DEFAULT', ...args],
      { env: { ...clean, BYOK_HOME: home, AWS_REGION: REGION }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    run.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    run.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((done) => run.once('exit', (code) => done(code)));

    // Act
    let code: number | null;
    try {
      await asked;
      run.kill('SIGINT');
      code = await exited;
    } finally {
      if (run.exitCode === null && run.signalCode === null) run.kill('SIGKILL');
      for (const response of held) response.destroy();
      await new Promise((closed) => proxy.close(closed));
    }

    // Assess
    const keyArn = createdArn(stdout) as string;
    expect(keyArn).toMatch(/^arn:aws:kms:/);
    expect(code).toBe(130);
    expect(stderr).toContain('byok key create: SIGINT: stopped before it finished');
    expect(stderr).toContain(
      'byok key create: in flight: CreateAlias alias/kc-interrupted (it may or may not have taken effect)',
    );
    expect(stderr).toContain(`byok key create: done: created and tagged ${keyArn}`);
    expect(stderr).toContain('not done: the binding and the import (the key has no material yet)');
    expect(stderr).toContain(
      `hint: finish with: byok bindings add --hsm-key kc-interrupted --key-id ${keyArn} --endpoint ${endpoint}, then byok import --key-id ${keyArn} --endpoint ${endpoint}`,
    );
    expect((await bindings()).some((binding) => binding.keyArn === keyArn)).toBe(false);
  }, 30_000);

  it('fills the replicas of a multi-Region key with the same material', async () => {
    // Act
    const result = await byok([
      'key',
      'create',
      '--hsm-key',
      'kc-mrk',
      '--key-spec',
      'SYMMETRIC_DEFAULT',
      '--replica-regions',
      REPLICA_REGION,
      '--endpoint',
      stack.url,
    ]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const arn = createdArn(result.stdout) as string;
    const replicaArn = arn.replace(`:${REGION}:`, `:${REPLICA_REGION}:`);
    expect(result.stdout).toContain(`replica: ${replicaArn}`);
    const replicaKms = kms(REPLICA_REGION);
    try {
      const replica = (await replicaKms.send(new DescribeKeyCommand({ KeyId: replicaArn }))).KeyMetadata;
      expect(replica).toMatchObject({ MultiRegion: true, KeyState: 'Enabled' });
      expect(replica?.MultiRegionConfiguration?.MultiRegionKeyType).toBe('REPLICA');
      // Same material: what the primary encrypts, the replica decrypts.
      const primaryKms = kms();
      const sealed = await primaryKms
        .send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from('probe') }))
        .finally(() => primaryKms.destroy());
      const opened = await replicaKms.send(
        new DecryptCommand({ KeyId: replicaArn, CiphertextBlob: sealed.CiphertextBlob }),
      );
      expect(Buffer.from(opened.Plaintext ?? []).toString()).toBe('probe');
    } finally {
      replicaKms.destroy();
    }
  });

  it.each([
    [
      'an HSM key bound to another KMS key',
      ['--hsm-key', 'kc-aes', '--key-spec', 'SYMMETRIC_DEFAULT'],
      'HsmKeyAlreadyBoundError',
    ],
    [
      'a key spec the HSM key does not fit',
      ['--hsm-key', 'kc-spare', '--key-spec', 'HMAC_256'],
      'KeySpecMismatchError',
    ],
    [
      "the primary's own Region as a replica Region",
      ['--hsm-key', 'kc-spare', '--key-spec', 'SYMMETRIC_DEFAULT', '--replica-regions', REGION],
      'InvalidReplicaRegionsError',
    ],
  ])('refuses %s by name and creates no key', async (_case, args, errorName) => {
    // Prepare
    const before = await keyCount();
    const bound = await bindings();

    // Act
    const result = await byok(['key', 'create', ...args, '--endpoint', stack.url]);

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(errorName);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await keyCount()).toBe(before);
    expect(await bindings()).toEqual(bound);
  });
});
