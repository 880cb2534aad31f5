import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/shared/logger.ts';
import type { ExecutionResult } from '../../../src/onprem/runner/run-execution.ts';
import { type ImportHarness, startImportHarness } from '../../helpers/import-harness.ts';
import { expectNoSecret } from '../../helpers/secret-scan.ts';

const run = promisify(execFile);

// Known key material, imported into the token so the test can look for it everywhere the
// workflow writes: the execution's event log (every state's input and output), its output, the
// events it published, the handlers' logs at DEBUG, and the CLI's output.
const aesKey = randomBytes(32);
const hmacKey = randomBytes(32);
const ecPrivateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const ecPkcs8 = ecPrivateKey.export({ format: 'der', type: 'pkcs8' });
// The private scalar is the secret; the PKCS#8 wrapper around it shares public OIDs with the SPKI.
const ecScalar = Buffer.from(ecPrivateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
const secrets: Array<[string, Uint8Array]> = [
  ['AES key', aesKey],
  ['HMAC key', hmacKey],
  ['EC private scalar', ecScalar],
];

function expectNoKeyMaterial(text: string, what: string): void {
  for (const [name, secret] of secrets) expectNoSecret(text, secret, `${what} (${name})`);
}

function everythingRecorded(result: ExecutionResult): string {
  return JSON.stringify({
    events: result.events,
    output: result.output,
    error: result.error,
    cause: result.cause,
    publishedEvents: result.publishedEvents,
  });
}

describe('import workflow never lets key material out', () => {
  let harness: ImportHarness;
  const logLines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });

  beforeAll(async () => {
    harness = await startImportHarness({ logger: createLogger({ logLevel: 'DEBUG', stream: logStream }) });
    const hsm = harness.token.hsm;
    if (!hsm) throw new Error('token not open');
    await hsm.importKey({ label: 'known-aes', type: 'AES_256', material: aesKey });
    await hsm.importKey({ label: 'known-hmac', type: 'HMAC_256', material: hmacKey });
    // The same known material under a second label for the CLI's key: one HSM key goes into one KMS key.
    await hsm.importKey({ label: 'known-hmac-cli', type: 'HMAC_256', material: hmacKey });
    await hsm.importKey({ label: 'known-ec', type: 'ECC_NIST_P256', material: new Uint8Array(ecPkcs8) });
    await hsm.createKey({ label: 'other-aes', type: 'AES_256' });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('keeps it out of the event log, the output, the published events and the handler logs', async () => {
    // Prepare
    const symmetric = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      bind: ['known-aes', 'other-aes'],
    });
    const hmac = await harness.createExternalKey({
      keySpec: 'HMAC_256',
      keyUsage: 'GENERATE_VERIFY_MAC',
      bind: ['known-hmac'],
    });
    const ecc = await harness.createExternalKey({
      keySpec: 'ECC_NIST_P256',
      keyUsage: 'SIGN_VERIFY',
      bind: ['known-ec'],
    });

    // Act
    const results = [
      await harness.run({ keyId: symmetric, hsmKeyLabel: 'known-aes', validForDays: 30 }),
      await harness.run({ keyId: hmac, hsmKeyLabel: 'known-hmac', validForDays: 30 }),
      await harness.run({ keyId: ecc, hsmKeyLabel: 'known-ec', validForDays: 30 }),
      // A failure path too: other material for the symmetric key (its cause text is published).
      await harness.run({ keyId: symmetric, hsmKeyLabel: 'other-aes', validForDays: 30 }),
    ];

    // Assess
    expect(results.map((result) => result.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'FAILED']);
    const logs = logLines.join('');
    // The handlers did log (at DEBUG, with ids), so an empty capture cannot pass for a clean one.
    expect(logs).toContain('"message":"key material wrapped in the HSM"');
    expect(logs).toContain('"level":"DEBUG"');
    expect(logs).toContain(`"executionId":"${results[0]?.executionArn}"`);
    expect(logs).toContain(`"keyId":"${(results[0]?.output as { keyId?: string } | undefined)?.keyId}"`);
    results.forEach((result, index) => {
      expectNoKeyMaterial(everythingRecorded(result), `execution ${index}`);
    });
    expectNoKeyMaterial(logs, 'handler logs');
  });

  it('keeps it out of the CLI output, with and without --json, at DEBUG log level', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'HMAC_256',
      keyUsage: 'GENERATE_VERIFY_MAC',
      bind: ['known-hmac-cli'],
    });
    const env = { ...process.env, BYOK_HOME: harness.token.byokHome, BYOK_LOG_LEVEL: 'DEBUG' };
    const cli = [
      'bin/byok.js',
      'import',
      '--endpoint',
      harness.stack.url,
      '--key-id',
      keyId,
      '--hsm-key',
      'known-hmac-cli',
    ];

    // Act
    const human = await run(process.execPath, [...cli, '--valid-for', '30d'], { env });
    const json = await run(process.execPath, [...cli, '--valid-for', '31d', '--json'], { env });
    const refused: { stdout: string; stderr: string; code?: number } = await run(
      process.execPath,
      [...cli.slice(0, -1), 'known-aes', '--json'],
      { env },
    ).catch((error: { stdout: string; stderr: string; code: number }) => error);

    // Assess
    expect(human.stdout).toContain('mac-matches-hsm');
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'SUCCEEDED',
      output: { keyId: expect.any(String) },
    });
    expect(json.stderr).toContain('"message":"key material imported"');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ status: 'FAILED', error: 'KeySpecMismatchError' });
    for (const [what, output] of [
      ['byok import', human],
      ['byok import --json', json],
      ['byok import (refused)', refused],
    ] as const) {
      expectNoKeyMaterial(output.stdout + output.stderr, what);
    }
  });
});
