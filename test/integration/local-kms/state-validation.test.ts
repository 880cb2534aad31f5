// A state dir is checked as a whole before the stack serves anything: every tampered or odd file
// found by the reliability probes (an out-of-range date, a duplicated key, a changed key spec, a
// directory for a file, bad clock offsets, another account, a duplicated rule) stops the start
// with LocalStateCorruptError naming the file and the field, within a second, and changes nothing.
import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  type KMSClient,
  ReplicateKeyCommand,
} from '@aws-sdk/client-kms';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalStateCorruptError, LocalStateMismatchError } from '../../../src/local/errors.ts';
import { startLocalStack } from '../../../src/local/stack.ts';
import { kmsClient, wrapMaterial } from '../../helpers/local-kms-support.ts';

const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'byok-state-validation-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function importExpiring(kms: KMSClient): Promise<string> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }));
  const keyId = KeyMetadata?.KeyId ?? '';
  const { ImportToken, PublicKey } = await kms.send(
    new GetParametersForImportCommand({
      KeyId: keyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    }),
  );
  await kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken,
      EncryptedKeyMaterial: wrapMaterial(
        PublicKey ?? new Uint8Array(),
        'RSAES_OAEP_SHA_256',
        randomBytes(32),
      ),
      ValidTo: new Date(Date.now() + 30 * 86_400_000),
    }),
  );
  return keyId;
}

/** A state dir with an imported, expiring key, an alias, the clock ahead and byok's rules. */
async function validStateDir(): Promise<void> {
  const stack = await startLocalStack({ port: 0, stateDir: dir });
  const kms = kmsClient(stack.url);
  const keyId = await importExpiring(kms);
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/payments', TargetKeyId: keyId }));
  await stack.clock.advance(3_600_000);
  kms.destroy();
  await stack.stop();
}

type Json = Record<string, unknown> & { keys: Record<string, unknown>[] };

/** The first material of the first key, to edit in place. */
function firstMaterial(state: Json): Record<string, unknown> {
  const materials = state.keys[0]?.materials as Record<string, unknown>[] | undefined;
  const material = materials?.[0];
  if (!material) throw new Error('the prepared state has no material');
  return material;
}

function editState(name: string, edit: (state: Json) => unknown): string {
  const path = join(dir, `${name}.json`);
  const state = JSON.parse(readFileSync(path, 'utf8')) as Json;
  const replaced = edit(state);
  const text = JSON.stringify(replaced === undefined ? state : replaced);
  writeFileSync(path, text, { mode: 0o600 });
  return text;
}

async function expectRefused(file: string, field: RegExp, options: { accountId?: string } = {}) {
  const before = readFileSync(join(dir, file), 'utf8');
  const started = Date.now();
  const attempt = startLocalStack({ port: 0, stateDir: dir, ...options });
  const error = await attempt.then(
    async (stack) => {
      await stack.stop();
      return undefined;
    },
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(LocalStateCorruptError);
  expect((error as LocalStateCorruptError).message).toContain(`${file} is unreadable`);
  expect((error as LocalStateCorruptError).message).toMatch(field);
  expect(Date.now() - started).toBeLessThan(1000);
  expect(readFileSync(join(dir, file), 'utf8')).toBe(before);
}

describe('kms.json is validated as a whole on load', () => {
  it('refuses a material validTo of 1e300 (it hung the clock) naming the field', async () => {
    // Prepare
    await validStateDir();
    editState('kms', (state) => {
      firstMaterial(state).validTo = 1e300;
    });

    // Act & Assess
    await expectRefused(
      'kms.json',
      /keys\.0\.materials\.0\.validTo: .*between 1970 and the end of year 9999/,
    );
  });

  it('refuses a duplicated key entry instead of merging it', async () => {
    // Prepare
    await validStateDir();
    editState('kms', (state) => {
      state.keys.push({ ...state.keys[0], description: 'the copy' });
    });

    // Act & Assess
    await expectRefused('kms.json', /keys\.1\.keyId: key \S+ appears more than once in us-east-1/);
  });

  it('refuses a key spec changed under its material', async () => {
    // Prepare
    await validStateDir();
    editState('kms', (state) => {
      Object.assign(state.keys[0] ?? {}, { keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' });
    });

    // Act & Assess
    await expectRefused('kms.json', /keys\.0\.materials\.0\.publicKey: RSA_2048 material has public key/);
  });

  it('refuses state of another account than the stack it is started for', async () => {
    // Prepare: a state dir from before stack.json recorded the account (kms.json alone says it)
    await validStateDir();
    rmSync(join(dir, 'stack.json'));

    // Act & Assess
    await expectRefused('kms.json', /accountId: the state belongs to account 111122223333/, {
      accountId: '123456789012',
    });
  });

  it('with stack.json, refuses another account by name before reading kms.json', async () => {
    // Prepare
    await validStateDir();

    // Act
    const refused = await startLocalStack({ port: 0, stateDir: dir, accountId: '123456789012' }).catch(
      (error: unknown) => error,
    );

    // Assess
    expect(refused).toBeInstanceOf(LocalStateMismatchError);
    expect((refused as Error).message).toContain('account 111122223333, not 123456789012');
  });

  it('refuses an alias to a key that is not there, and an unknown field', async () => {
    // Prepare
    await validStateDir();
    const text = editState('kms', (state) => {
      (state.aliases as Record<string, unknown>[])[0] = {
        ...(state.aliases as Record<string, unknown>[])[0],
        targetKeyId: '00000000-0000-0000-0000-000000000000',
      };
    });

    // Act & Assess
    await expectRefused('kms.json', /aliases\.0\.targetKeyId: no key 0{8}-/);
    writeFileSync(join(dir, 'kms.json'), text.replace('"version":1', '"version":1,"extra":true'));
    await expectRefused('kms.json', /unexpected content at top level: Unrecognized key: "extra"/);
  });

  it('reports a directory where kms.json should be as such, not as a permissions problem', async () => {
    // Prepare
    await validStateDir();
    rmSync(join(dir, 'kms.json'));
    mkdirSync(join(dir, 'kms.json'), { mode: 0o755 });

    // Act
    const attempt = startLocalStack({ port: 0, stateDir: dir });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(LocalStateCorruptError);
    await expect(attempt).rejects.toThrow(/kms\.json is unreadable: it is a directory, not a regular file/);
  });
});

describe('valid state loads', () => {
  it('loads again after imported ECC material expired (its public key stays, its secret goes)', async () => {
    // Prepare
    const first = await startLocalStack({ port: 0, stateDir: dir });
    const kms = kmsClient(first.url);
    const { KeyMetadata } = await kms.send(
      new CreateKeyCommand({ Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
    );
    const keyId = KeyMetadata?.KeyId ?? '';
    const { ImportToken, PublicKey } = await kms.send(
      new GetParametersForImportCommand({
        KeyId: keyId,
        WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
        WrappingKeySpec: 'RSA_2048',
      }),
    );
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    await kms.send(
      new ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken,
        EncryptedKeyMaterial: wrapMaterial(
          PublicKey ?? new Uint8Array(),
          'RSAES_OAEP_SHA_256',
          privateKey.export({ format: 'der', type: 'pkcs8' }),
        ),
        ValidTo: new Date(Date.now() + 86_400_000),
      }),
    );
    await first.clock.advance(2 * 86_400_000);
    kms.destroy();
    await first.stop();

    // Act
    const second = await startLocalStack({ port: 0, stateDir: dir });
    const again = kmsClient(second.url);
    const described = await again.send(new DescribeKeyCommand({ KeyId: keyId }));
    again.destroy();
    await second.stop();

    // Assess
    expect(described.KeyMetadata?.KeyState).toBe('PendingImport');
  });
});

describe('Regions in the state are Regions', () => {
  it('refuses a ReplicateKey Region that is not a Region name, and reloads a real replica', async () => {
    // Prepare
    const first = await startLocalStack({ port: 0, stateDir: dir });
    const kms = kmsClient(first.url);
    const keyId = (await kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata?.KeyId;

    // Act
    const refused = kms.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'Not A Region' }));
    await expect(refused).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("at 'replicaRegion' failed to satisfy constraint"),
    });
    await kms.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' }));
    kms.destroy();
    await first.stop();
    const second = await startLocalStack({ port: 0, stateDir: dir });
    const replica = kmsClient(second.url, 'eu-west-1');
    const described = await replica.send(new DescribeKeyCommand({ KeyId: keyId }));
    replica.destroy();
    await second.stop();

    // Assess
    expect(described.KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType).toBe('REPLICA');
  });
});

describe('clock.json is validated on load', () => {
  it.each([
    ['a string', '{"offsetMs":"3600000"}', /offsetMs: Invalid input: expected number, received string/],
    ['null', '{"offsetMs":null}', /offsetMs: Invalid input: expected number, received null/],
    ['an array', '[3600000]', /top level: Invalid input: expected object, received array/],
    ['a negative offset', '{"offsetMs":-86400000000}', /offsetMs: Too small/],
    ['a huge offset', '{"offsetMs":1e300}', /offsetMs: the offset puts the clock past the end of year 9999/],
    ['no offset', '{}', /offsetMs: Invalid input: expected number, received undefined/],
  ])('refuses %s as the offset', async (_name, text, field) => {
    // Prepare
    await validStateDir();
    writeFileSync(join(dir, 'clock.json'), text, { mode: 0o600 });

    // Act & Assess
    await expectRefused('clock.json', field);
  });
});

describe('events.json is validated on load', () => {
  it('refuses a rule stored twice instead of merging it', async () => {
    // Prepare
    await validStateDir();
    editState('events', (state) => {
      const rules = state.rules as Record<string, unknown>[];
      rules.push({ ...rules[0], State: 'DISABLED' });
    });

    // Act & Assess
    await expectRefused('events.json', /rules\.\d+\.Name: rule byok-\S+ appears twice/);
  });
});

describe('byok local up on a kms.json with a validTo of 1e300', () => {
  it('exits at once with the named error instead of serving nothing at full CPU', async () => {
    // Prepare
    await validStateDir();
    editState('kms', (state) => {
      firstMaterial(state).validTo = 1e300;
    });

    // Act
    const child = spawn(process.execPath, [byok, 'local', 'up', '--port', '0', '--state-dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(killer);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /byok: LocalStateCorruptError: local state file \S+kms\.json is unreadable: .*keys\.0\.materials\.0\.validTo/,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
