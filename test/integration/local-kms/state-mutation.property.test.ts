// Property: any mutation of a valid state dir (a value replaced, a field dropped, an entry
// duplicated, a file truncated or swapped for a directory) either loads a state that works and
// passes validation again once written back, or is refused within a second with a named
// LocalState*Error; never a hang, a foreign error, or a stack that breaks after starting.
// Loads run in a child process (test/helpers/state-load-child.ts) so that a hang is caught by a
// timer here instead of freezing this process.
import { type ChildProcess, fork } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  type KMSClient,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../../src/local/stack.ts';
import { fuzzParameters, fuzzTimeoutMs, reportFuzz } from '../../helpers/fuzz.ts';
import { kmsClient, wrapMaterial } from '../../helpers/local-kms-support.ts';
import type { LoadOutcome } from '../../helpers/state-load-child.ts';

const CHILD = join(import.meta.dirname, '..', '..', 'helpers', 'state-load-child.ts');
const NAMED_STATE_ERRORS = new Set(['LocalStateCorruptError', 'LocalStateInsecureError', 'LocalStateError']);
const STATE_FILES = ['kms', 'clock', 'events'] as const;
/** A load that takes longer than this is a hang (the child is killed and the run fails). */
const HANG_MS = 15_000;

let root: string;
let pristine: string;
let child: ChildProcess | undefined;

async function importExpiring(kms: KMSClient, keyId: string): Promise<void> {
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
}

/** A state dir with one of nearly everything the stack stores. */
async function buildPristine(dir: string): Promise<void> {
  const stack = await startLocalStack({ port: 0, stateDir: dir });
  const kms = kmsClient(stack.url);
  const external = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata?.KeyId ?? '';
  await importExpiring(kms, external);
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/payments', TargetKeyId: external }));
  const rotating = (
    await kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'team', TagValue: 'payments' }] }))
  ).KeyMetadata?.KeyId;
  await kms.send(new RotateKeyOnDemandCommand({ KeyId: rotating }));
  await kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }));
  await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  const multi = (await kms.send(new CreateKeyCommand({ MultiRegion: true }))).KeyMetadata?.KeyId;
  await kms.send(new ReplicateKeyCommand({ KeyId: multi, ReplicaRegion: 'us-west-2' }));
  const doomed = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId;
  await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed, PendingWindowInDays: 7 }));
  // Imported ECC material that has expired: the record keeps its public key, not its secret.
  const ecc = (
    await kms.send(
      new CreateKeyCommand({ Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
    )
  ).KeyMetadata?.KeyId;
  const parameters = await kms.send(
    new GetParametersForImportCommand({
      KeyId: ecc,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    }),
  );
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await kms.send(
    new ImportKeyMaterialCommand({
      KeyId: ecc,
      ImportToken: parameters.ImportToken,
      EncryptedKeyMaterial: wrapMaterial(
        parameters.PublicKey ?? new Uint8Array(),
        'RSAES_OAEP_SHA_256',
        privateKey.export({ format: 'der', type: 'pkcs8' }),
      ),
      ValidTo: new Date(Date.now() + 3_600_000),
    }),
  );
  await stack.clock.advance(2 * 3_600_000);
  kms.destroy();
  await stack.stop();
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

function pathsOf(value: Json, prefix: Path = []): Path[] {
  const here = [prefix];
  if (Array.isArray(value))
    return here.concat(value.flatMap((item, index) => pathsOf(item, [...prefix, index])));
  if (value !== null && typeof value === 'object') {
    return here.concat(Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...prefix, key])));
  }
  return here;
}

function parentAndKey(root: Json, path: Path): [Json, string | number] | undefined {
  if (path.length === 0) return undefined;
  let parent = root;
  for (const step of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[step] as Json;
  return [parent, path[path.length - 1] as string | number];
}

type Mutation =
  | { kind: 'set'; file: (typeof STATE_FILES)[number]; pick: number; value: Json }
  | { kind: 'same-type'; file: (typeof STATE_FILES)[number]; pick: number; number: number; text: string }
  | { kind: 'delete'; file: (typeof STATE_FILES)[number]; pick: number }
  | { kind: 'duplicate'; file: (typeof STATE_FILES)[number]; pick: number }
  | { kind: 'truncate'; file: (typeof STATE_FILES)[number] | 'master'; at: number }
  | { kind: 'directory'; file: (typeof STATE_FILES)[number] | 'master' };

const interestingValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    1e300,
    -1e300,
    8.64e15,
    8.64e15 + 1,
    2 ** 53,
    -1,
    0,
    0.5,
    -0.5,
    '',
    'x',
    null,
    true,
    [],
    {},
    '1e300',
    'SYMMETRIC_DEFAULT',
    'RSA_2048',
    'HMAC_256',
    'ECC_NIST_P521',
    'EXTERNAL',
    'AWS_KMS',
    'CURRENT',
    'PENDING_ROTATION',
    'KEY_MATERIAL_EXPIRES',
    'KEY_MATERIAL_DOES_NOT_EXPIRE',
    'us-west-2',
    '123456789012',
    'ENABLED',
    'DISABLED',
    'cron(0 3 * * ? *)',
    'rate(1 minute)',
    'rate(0 minutes)',
    '{"source":["x"]}',
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string(),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

const interestingNumber = fc.oneof(
  fc.constantFrom(
    1e300,
    8.64e15,
    253402300800000,
    253402300799999,
    2 ** 53,
    -1,
    0,
    0.5,
    7,
    30,
    31,
    86_400_000,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: 0, max: 253402300799999 }),
);
const interestingText = fc.oneof(
  interestingValue.filter((value): value is string => typeof value === 'string'),
  fc.string(),
  fc.stringMatching(/^[a-f0-9]{64}$/),
  fc.constantFrom(
    'mrk-00000000000000000000000000000000',
    '00000000-0000-0000-0000-000000000000',
    'alias/aws/x',
  ),
);

const stateFile = fc.constantFrom(...STATE_FILES);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      file: stateFile,
      pick: fc.nat(),
      value: interestingValue,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('same-type' as const),
      file: stateFile,
      pick: fc.nat(),
      number: interestingNumber,
      text: interestingText,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('delete' as const), file: stateFile, pick: fc.nat() }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('duplicate' as const), file: stateFile, pick: fc.nat() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('truncate' as const),
      file: fc.constantFrom(...STATE_FILES, 'master' as const),
      at: fc.nat(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('directory' as const),
      file: fc.constantFrom(...STATE_FILES, 'master' as const),
    }),
  },
);

function fileName(file: Mutation['file']): string {
  return file === 'master' ? 'master.key' : `${file}.json`;
}

/** Applies the mutation to a copy of the pristine dir; returns a short description of it. */
function mutate(dir: string, change: Mutation): string {
  const path = join(dir, fileName(change.file));
  if (change.kind === 'directory') {
    rmSync(path);
    mkdirSync(path, { mode: 0o700 });
    return `${fileName(change.file)} replaced by a directory`;
  }
  const text = readFileSync(path, 'utf8');
  if (change.kind === 'truncate') {
    const at = change.at % Math.max(text.length, 1);
    writeFileSync(path, text.slice(0, at), { mode: 0o600 });
    return `${fileName(change.file)} truncated to ${at} characters`;
  }
  const state = JSON.parse(text) as Json;
  const all = pathsOf(state);
  // Same-type changes pick among the leaves (a string stays a string, a number a number...).
  const leaves = all.filter((path) => {
    const located = parentAndKey(state, path);
    const value = located ? (located[0] as Record<string | number, Json>)[located[1]] : state;
    return value === null || typeof value !== 'object';
  });
  const paths = change.kind === 'same-type' && leaves.length > 0 ? leaves : all;
  const target = paths[change.pick % paths.length] as Path;
  const located = parentAndKey(state, target);
  let replaced: Json = state;
  if (change.kind === 'set') {
    if (located) (located[0] as Record<string | number, Json>)[located[1]] = change.value;
    else replaced = change.value;
  } else if (located && change.kind === 'same-type') {
    const [parent, key] = located;
    const old = (parent as Record<string | number, Json>)[key];
    const value = typeof old === 'number' ? change.number : typeof old === 'boolean' ? !old : change.text;
    (parent as Record<string | number, Json>)[key] = value;
  } else if (located && change.kind === 'delete') {
    if (Array.isArray(located[0])) located[0].splice(located[1] as number, 1);
    else delete (located[0] as Record<string, Json>)[located[1] as string];
  } else if (located && change.kind === 'duplicate') {
    const [parent, key] = located;
    const copy = JSON.parse(JSON.stringify((parent as Record<string | number, Json>)[key])) as Json;
    if (Array.isArray(parent)) parent.splice(key as number, 0, copy);
    else (parent as Record<string, Json>)[`${String(key)}Copy`] = copy;
  }
  writeFileSync(path, JSON.stringify(replaced), { mode: 0o600 });
  return `${change.kind} at ${fileName(change.file)}:${target.join('.') || '(root)'}`;
}

function startChild(): Promise<ChildProcess> {
  const started = fork(CHILD, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    started.once('message', () => resolve(started));
    started.once('exit', (code) => reject(new Error(`the state load child exited ${code}`)));
  });
}

/** Loads `dir` in the child; a load that does not answer within HANG_MS kills it and fails. */
async function loadInChild(dir: string): Promise<LoadOutcome | 'hang'> {
  child ??= await startChild();
  const current = child;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      current.kill('SIGKILL');
      child = undefined;
      resolve('hang');
    }, HANG_MS);
    current.once('message', (outcome: LoadOutcome) => {
      clearTimeout(timer);
      resolve(outcome);
    });
    current.send({ dir });
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'byok-state-mutation-'));
  pristine = join(root, 'pristine');
  await buildPristine(pristine);
  child = await startChild();
}, 120_000);

afterAll(() => {
  child?.kill('SIGKILL');
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('any mutation of a valid state dir', () => {
  it(
    'loads a working state that passes validation again, or is refused within a second by name',
    async () => {
      const counts = { runs: 0, refused: 0, started: 0, slowestRefusalMs: 0 };
      const byError = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(mutation, async (change) => {
          // Prepare
          const dir = join(root, `run-${counts.runs++}`);
          cpSync(pristine, dir, { recursive: true });
          const described = mutate(dir, change);

          // Act
          const outcome = await loadInChild(dir);
          rmSync(dir, { recursive: true, force: true });

          // Assess
          if (outcome === 'hang')
            throw new Error(`${described}: the load did not finish within ${HANG_MS} ms`);
          if (outcome.kind === 'broken') {
            throw new Error(
              `${described}: started, then failed while ${outcome.stage}: ${outcome.name}: ${outcome.message}`,
            );
          }
          if (outcome.kind === 'refused') {
            counts.refused++;
            counts.slowestRefusalMs = Math.max(counts.slowestRefusalMs, outcome.elapsedMs);
            const field =
              /unreadable: (?:unexpected content at )?([^\s:]+)/.exec(outcome.message)?.[1] ?? '-';
            byError.set(`${outcome.name}`, (byError.get(outcome.name) ?? 0) + 1);
            if (process.env.BYOK_FUZZ_DEBUG) process.stdout.write(`${described} -> ${outcome.message}\n`);
            if (!NAMED_STATE_ERRORS.has(outcome.name)) {
              throw new Error(
                `${described}: refused with a foreign error ${outcome.name}: ${outcome.message}`,
              );
            }
            if (!outcome.message.includes(fileName(change.file)) && !outcome.message.includes('master.key')) {
              throw new Error(
                `${described}: the error does not name the file: ${outcome.message} (${field})`,
              );
            }
            if (outcome.elapsedMs > 1000)
              throw new Error(`${described}: refused after ${outcome.elapsedMs} ms`);
            return;
          }
          counts.started++;
          if (outcome.reloaded !== 'ok') {
            throw new Error(`${described}: loaded, but what it wrote back is refused: ${outcome.reloaded}`);
          }
        }),
        fuzzParameters({ bounded: 60, long: 2000 }),
      );
      reportFuzz('state-mutation', { ...counts, errors: JSON.stringify(Object.fromEntries(byError)) });
      expect(counts.refused).toBeGreaterThan(0);
    },
    fuzzTimeoutMs(240_000),
  );
});
