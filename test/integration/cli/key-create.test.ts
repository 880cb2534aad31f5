// `byok key create` as an administrator runs it: a real CLI process, a real NSS token under
// BYOK_HOME, the local stack over HTTP. For every key family it checks, creates the EXTERNAL key,
// tags it, binds the HSM key to it and imports; with --replica-regions the replicas get the
// material too. Every refusal comes before CreateKey: no key is left behind.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
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

function byok(args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('BYOK_') && !name.startsWith('AWS_')),
    );
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...clean, BYOK_HOME: home, AWS_REGION: REGION } },
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
