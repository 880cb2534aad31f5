import { randomBytes } from 'node:crypto';

import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';

import { tmpdir } from 'node:os';

import { join } from 'node:path';

import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStateCorruptError, LocalStateInsecureError } from '../../../src/local/errors.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { expectAwsError, kmsClient, wrapMaterial } from '../../helpers/local-kms-support.ts';

let dir: string;
const started: { stack: LocalStack; kms: KMSClient }[] = [];

async function start(options: Parameters<typeof startLocalStack>[0] = {}) {
  const stack = await startLocalStack({ port: 0, ...options });
  const kms = kmsClient(stack.url);
  started.push({ stack, kms });
  return { stack, kms };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'byok-local-state-'));
});

afterEach(async () => {
  for (const { stack, kms } of started.splice(0)) {
    kms.destroy();
    await stack.stop();
  }
  rmSync(dir, { recursive: true, force: true });
});

async function importedKey(kms: KMSClient, material: Buffer) {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
  const keyId = KeyMetadata?.KeyId ?? '';
  const { ImportToken, PublicKey } = await kms.send(
    new GetParametersForImportCommand({
      KeyId: keyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    }),
  );
  const imported = await kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken,
      EncryptedKeyMaterial: wrapMaterial(PublicKey ?? new Uint8Array(), 'RSAES_OAEP_SHA_256', material),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    }),
  );
  return { keyId, keyMaterialId: imported.KeyMaterialId, token: ImportToken, publicKey: PublicKey };
}

describe('local stack persistence', () => {
  it('keeps keys, material, aliases, tokens and the clock across a restart, with owner-only files', async () => {
    // Prepare
    const material = randomBytes(32);
    const first = await start({ stateDir: dir });
    const { keyId, keyMaterialId, token, publicKey } = await importedKey(first.kms, material);
    await first.kms.send(new CreateAliasCommand({ AliasName: 'alias/kept', TargetKeyId: keyId }));
    const ciphertext = (
      await first.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('durable') }))
    ).CiphertextBlob;
    await first.stack.clock.advance(3_600_000);
    const offset = first.stack.clock.offsetMs;
    await first.stack.stop();

    // Act
    const second = await start({ stateDir: dir });
    const described = (await second.kms.send(new DescribeKeyCommand({ KeyId: 'alias/kept' }))).KeyMetadata;
    const decrypted = await second.kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }));
    const reimported = await second.kms.send(
      new ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken: token,
        EncryptedKeyMaterial: wrapMaterial(publicKey ?? new Uint8Array(), 'RSAES_OAEP_SHA_256', material),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );

    // Assess
    expect(described).toMatchObject({
      KeyId: keyId,
      KeyState: 'Enabled',
      CurrentKeyMaterialId: keyMaterialId,
    });
    expect(Buffer.from(decrypted.Plaintext ?? []).toString()).toBe('durable');
    expect(reimported.KeyMaterialId).toBe(keyMaterialId);
    expect(second.stack.clock.offsetMs).toBeGreaterThanOrEqual(offset);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const name of ['master.key', 'kms.json', 'clock.json'])
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    const stateText = readFileSync(join(dir, 'kms.json'), 'utf8');
    for (const encoding of ['base64', 'hex'] as const)
      expect(stateText).not.toContain(material.toString(encoding));
  });

  it('refuses corrupt state with a named error and leaves the file untouched', async () => {
    // Prepare
    const first = await start({ stateDir: dir });
    await importedKey(first.kms, randomBytes(32));
    await first.stack.stop();
    const broken = readFileSync(join(dir, 'kms.json'), 'utf8').slice(0, 100);
    writeFileSync(join(dir, 'kms.json'), broken, { mode: 0o600 });

    // Act
    const attempt = startLocalStack({ port: 0, stateDir: dir });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(LocalStateCorruptError);
    await expect(attempt).rejects.toThrow(/kms\.json is unreadable: it is not valid JSON/);
    expect(readFileSync(join(dir, 'kms.json'), 'utf8')).toBe(broken);
  });

  it('refuses state whose sealed material does not open with the master key', async () => {
    // Prepare
    const first = await start({ stateDir: dir });
    await importedKey(first.kms, randomBytes(32));
    await first.stack.stop();
    writeFileSync(join(dir, 'master.key'), randomBytes(32).toString('base64'), { mode: 0o600 });

    // Act & Assess
    await expect(startLocalStack({ port: 0, stateDir: dir })).rejects.toThrow(
      /sealed key material of arn:aws:kms:.* does not open with this state dir's master key/,
    );
  });

  it('refuses a state file that others can read', async () => {
    // Prepare
    const first = await start({ stateDir: dir });
    await importedKey(first.kms, randomBytes(32));
    await first.stack.stop();
    chmodSync(join(dir, 'kms.json'), 0o644);

    // Act & Assess
    await expect(startLocalStack({ port: 0, stateDir: dir })).rejects.toBeInstanceOf(LocalStateInsecureError);
  });
});

describe('local stack quotas and faults', () => {
  it('throttles with the aws-default profile (GetParametersForImport at 1/s)', async () => {
    // Prepare
    const { kms } = await start({ quotas: 'aws-default' });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
    const ask = () =>
      kms.send(
        new GetParametersForImportCommand({
          KeyId: KeyMetadata?.KeyId,
          WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
          WrappingKeySpec: 'RSA_2048',
        }),
      );

    // Act
    await ask();
    const burst = await Promise.allSettled([ask(), ask(), ask()]);

    // Assess
    const rejected = burst.filter((result) => result.status === 'rejected');
    expect(rejected.length).toBeGreaterThanOrEqual(2);
    for (const result of rejected) {
      expect(result.reason).toMatchObject({ name: 'ThrottlingException', message: 'Rate exceeded' });
    }
  });

  it('takes quotas and faults over the admin API and injects exception, count and latency', async () => {
    // Prepare
    const { stack, kms } = await start();
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const describeKey = () => kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata?.KeyId }));
    const post = (path: string, body: unknown) =>
      fetch(`${stack.url}/_byok/${path}`, { method: 'POST', body: JSON.stringify(body) });

    // Act
    const quotaAnswer = await post('quotas', { quotas: { DescribeKey: 2 } });
    await describeKey();
    await describeKey();
    await expectAwsError(describeKey(), 'ThrottlingException');
    await fetch(`${stack.url}/_byok/quotas`, { method: 'DELETE' });
    const faultAnswer = await post('faults', {
      faults: [
        { operation: 'TrentService.DescribeKey', exception: 'KMSInternalException', count: 1 },
        { operation: 'Encrypt', latencyMs: 300 },
      ],
    });
    const badFault = await post('faults', { faults: [{ operation: 'DescribeKey', probability: 2 }] });
    await expectAwsError(describeKey(), 'KMSInternalException');
    const recovered = await describeKey();
    const startedAt = Date.now();
    await kms.send(new EncryptCommand({ KeyId: KeyMetadata?.KeyId, Plaintext: Buffer.from('slow') }));
    const elapsed = Date.now() - startedAt;

    // Assess
    expect(await quotaAnswer.json()).toEqual({ quotas: { DescribeKey: 2 } });
    expect(faultAnswer.status).toBe(200);
    expect(badFault.status).toBe(400);
    expect(await badFault.json()).toMatchObject({ error: 'InvalidFaultError' });
    expect(recovered.KeyMetadata?.KeyId).toBe(KeyMetadata?.KeyId);
    expect(elapsed).toBeGreaterThanOrEqual(290);
  });

  it('injects faults given in the startLocalStack options with HTTP 500 for internal errors', async () => {
    // Prepare
    const { stack } = await start({ faults: [{ operation: 'ListKeys', exception: 'KMSInternalException' }] });

    // Act
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' },
      body: '{}',
    });

    // Assess
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ __type: 'KMSInternalException' });
  });
});
