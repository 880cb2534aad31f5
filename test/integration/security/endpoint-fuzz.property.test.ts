// Property: whatever JSON body (or non-JSON text) a client sends to any operation of the local
// endpoints (KMS, EventBridge, Step Functions), the answer comes back within seconds and is
// AWS-shaped: a 200 with a JSON object, or a 4xx with {"__type": "<Exception>", "message"?} and the
// x-amzn-ErrorType header; never a 500 InternalFailure (an emulator bug), a hang or a crash.
// The stack runs as `byok local up` in its own process, so a hang is seen by a timer here, and with
// a state dir: after the fuzzing, the state it wrote must load again in a new process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DisableRuleCommand, ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBridgeClient, createKmsClient } from '../../../src/core/aws/clients.ts';
import { fuzzParameters, fuzzTimeoutMs, reportFuzz } from '../../helpers/fuzz.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';

const OPERATIONS: Record<string, string[]> = {
  TrentService: [
    'CreateKey',
    'DescribeKey',
    'ListKeys',
    'EnableKey',
    'DisableKey',
    'ScheduleKeyDeletion',
    'CancelKeyDeletion',
    'TagResource',
    'UntagResource',
    'ListResourceTags',
    'CreateAlias',
    'UpdateAlias',
    'DeleteAlias',
    'ListAliases',
    'ReplicateKey',
    'GetKeyRotationStatus',
    'EnableKeyRotation',
    'GetParametersForImport',
    'ImportKeyMaterial',
    'DeleteImportedKeyMaterial',
    'Encrypt',
    'Decrypt',
    'GenerateDataKey',
    'GenerateDataKeyWithoutPlaintext',
    'GenerateMac',
    'VerifyMac',
    'Sign',
    'Verify',
    'GetPublicKey',
    'RotateKeyOnDemand',
    'ListKeyRotations',
    'NoSuchOperation',
  ],
  AWSEvents: [
    'PutRule',
    'DescribeRule',
    'ListRules',
    'EnableRule',
    'DisableRule',
    'DeleteRule',
    'PutTargets',
    'RemoveTargets',
    'ListTargetsByRule',
    'PutEvents',
    'TestEventPattern',
    'ListRuleNamesByTarget',
  ],
  AWSStepFunctions: [
    'StartExecution',
    'DescribeExecution',
    'ListExecutions',
    'GetExecutionHistory',
    'StopExecution',
    'ListStateMachines',
    'DescribeStateMachine',
  ],
};

const MEMBERS = [
  // KMS
  'KeyId',
  'Plaintext',
  'CiphertextBlob',
  'KeySpec',
  'CustomerMasterKeySpec',
  'KeyUsage',
  'Origin',
  'Description',
  'Tags',
  'TagKeys',
  'AliasName',
  'TargetKeyId',
  'WrappingAlgorithm',
  'WrappingKeySpec',
  'ImportToken',
  'EncryptedKeyMaterial',
  'ValidTo',
  'ExpirationModel',
  'ImportType',
  'KeyMaterialId',
  'KeyMaterialDescription',
  'EncryptionAlgorithm',
  'EncryptionContext',
  'NumberOfBytes',
  'MacAlgorithm',
  'Message',
  'Mac',
  'MessageType',
  'SigningAlgorithm',
  'Signature',
  'PendingWindowInDays',
  'Limit',
  'Marker',
  'IncludeKeyMaterial',
  'MultiRegion',
  'ReplicaRegion',
  // EventBridge
  'Name',
  'ScheduleExpression',
  'EventPattern',
  'Event',
  'State',
  'RoleArn',
  'EventBusName',
  'Rule',
  'Targets',
  'Ids',
  'Entries',
  'NamePrefix',
  'NextToken',
  'TargetArn',
  // Step Functions
  'stateMachineArn',
  'name',
  'input',
  'executionArn',
  'maxResults',
  'nextToken',
  'statusFilter',
  'reverseOrder',
  'includeExecutionData',
  'error',
  'cause',
  'traceHeader',
];

let dir: string;
let server: LocalUpProcess;
let url: string;
const known: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'byok-endpoint-fuzz-'));
  // With a state dir: whatever the API accepted must be written as state that loads again.
  server = spawnLocalUp(['--port', '0', '--state-dir', join(dir, 'state')], { BYOK_HOME: dir });
  url = await server.url;
  const kms = createKmsClient({ endpoint: url, region: 'us-east-1' });
  for (const input of [
    { Origin: 'EXTERNAL' as const },
    {},
    { KeySpec: 'HMAC_256' as const, KeyUsage: 'GENERATE_VERIFY_MAC' as const },
    { KeySpec: 'ECC_NIST_P256' as const, KeyUsage: 'SIGN_VERIFY' as const },
  ]) {
    const created = await kms.send(new CreateKeyCommand(input));
    known.push(created.KeyMetadata?.KeyId ?? '', created.KeyMetadata?.Arn ?? '');
  }
  kms.destroy();
  known.push(
    'alias/fuzz',
    'arn:aws:states:us-east-1:111122223333:stateMachine:import-key-material',
    'arn:aws:states:us-east-1:111122223333:execution:import-key-material:x',
    'arn:aws:sns:us-east-1:111122223333:byok-alerts',
    'byok-reimport-sweep',
    'cron(0 3 * * ? *)',
    'rate(5 minutes)',
    '{"source":["aws.kms"]}',
    'SYMMETRIC_DEFAULT',
    'RSAES_OAEP_SHA_256',
    'RSA_2048',
    'KEY_MATERIAL_EXPIRES',
    'AAAA',
    '{}',
  );
}, 120_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null).chain(() => fc.constantFrom(...known)) },
  { weight: 2, arbitrary: fc.string() },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })) },
  { weight: 1, arbitrary: fc.constantFrom(1e300, -1, 0, 2 ** 53, 1e21, true, false, null, '', [], {}) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 1,
    arbitrary: fc.array(fc.record({ TagKey: fc.string(), TagValue: fc.string() }), { maxLength: 3 }),
  },
);

const body: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .dictionary(fc.constantFrom(...MEMBERS), value, { maxKeys: 6 })
      .map((v) => JSON.stringify(v)),
  },
  { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string() },
);

const target: fc.Arbitrary<string> = fc.oneof(
  ...Object.entries(OPERATIONS).map(([prefix, operations]) =>
    fc.constantFrom(...operations).map((operation) => `${prefix}.${operation}`),
  ),
);

describe('any JSON body sent to any local endpoint operation', () => {
  it(
    'is answered in time with an AWS-shaped success or error; the server keeps serving, and its state loads again',
    async () => {
      const counts = { requests: 0, ok: 0, clientErrors: 0, slowestMs: 0 };
      const byType = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(target, body, async (operation, text) => {
          // Act
          const started = Date.now();
          const response = await fetch(url, {
            method: 'POST',
            headers: {
              'x-amz-target': operation,
              'content-type': operation.startsWith('AWSStepFunctions')
                ? 'application/x-amz-json-1.0'
                : 'application/x-amz-json-1.1',
            },
            body: text,
            signal: AbortSignal.timeout(10_000),
          });
          const answer = await response.text();
          counts.requests++;
          counts.slowestMs = Math.max(counts.slowestMs, Date.now() - started);

          // Assess
          const parsed = JSON.parse(answer) as Record<string, unknown>;
          expect(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)).toBe(true);
          if (response.status === 200) {
            counts.ok++;
            return;
          }
          counts.clientErrors++;
          byType.set(String(parsed.__type), (byType.get(String(parsed.__type)) ?? 0) + 1);
          expect(response.status, `${operation} ${text} -> ${answer}`).toBeGreaterThanOrEqual(400);
          expect(response.status, `${operation} ${text} -> ${answer}`).toBeLessThan(500);
          expect(parsed.__type).toMatch(/^[A-Za-z][A-Za-z0-9.]*$/);
          expect(response.headers.get('x-amzn-errortype')).toBe(parsed.__type);
          expect(Object.keys(parsed).filter((key) => key !== '__type' && key !== 'message')).toEqual([]);
          if ('message' in parsed) expect(typeof parsed.message).toBe('string');
        }),
        fuzzParameters({ bounded: 300, long: 50_000 }),
      );
      const health = await fetch(`${url}/_byok/health`, { signal: AbortSignal.timeout(5000) });
      reportFuzz('endpoint-bodies', { ...counts, types: JSON.stringify(Object.fromEntries(byType)) });
      expect(health.status).toBe(200);
      expect(server.child.exitCode).toBeNull();
      await server.stop();
      server = spawnLocalUp(['--port', '0', '--state-dir', join(dir, 'state')], { BYOK_HOME: dir });
      await expect(server.url).resolves.toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      url = await server.url;
    },
    fuzzTimeoutMs(240_000),
  );
});

describe('any body sent to the clock admin path', () => {
  // A stack of its own with its schedules disabled: a jump of centuries fires every due schedule at
  // its own instant (byok's daily sweep alone is 365 executions a year), which takes minutes by
  // design; what is checked here is the clock's own range, not how long a dense schedule takes.
  let clockServer: LocalUpProcess;
  let clockUrl: string;

  beforeAll(async () => {
    clockServer = spawnLocalUp(['--port', '0', '--memory'], { BYOK_HOME: dir });
    clockUrl = await clockServer.url;
    const events = createEventBridgeClient({ endpoint: clockUrl, region: 'us-east-1' });
    for (const rule of (await events.send(new ListRulesCommand({}))).Rules ?? [])
      await events.send(new DisableRuleCommand({ Name: rule.Name }));
    events.destroy();
  }, 60_000);

  afterAll(async () => {
    await clockServer?.stop();
  });

  it(
    'moves the clock forward within year 9999 or is refused with a 400, and the clock keeps answering',
    async () => {
      const counts = { requests: 0, moved: 0, refused: 0 };
      const amount = fc.oneof(
        fc.constantFrom<unknown>(
          1e300,
          -1,
          0,
          8.64e15,
          2 ** 53,
          '99999999999d',
          '25h',
          '1e300ms',
          '',
          null,
          [],
          {},
        ),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.string(),
        fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      );
      const clockBody = fc.oneof(
        fc.record({ advance: amount }),
        fc.record({ set: amount }),
        fc.json({ maxDepth: 2 }).map((text) => JSON.parse(text) as unknown),
      );
      await fc.assert(
        fc.asyncProperty(clockBody, async (requested) => {
          // Prepare
          const before = (await (await fetch(`${clockUrl}/_byok/clock`)).json()) as { epochMs: number };

          // Act
          if (process.env.BYOK_FUZZ_DEBUG) process.stdout.write(`clock <- ${JSON.stringify(requested)}\n`);
          const response = await fetch(`${clockUrl}/_byok/clock`, {
            method: 'POST',
            body: JSON.stringify(requested),
            signal: AbortSignal.timeout(10_000),
          });
          const answer = (await response.json()) as Record<string, unknown>;
          counts.requests++;

          // Assess
          const after = (await (await fetch(`${clockUrl}/_byok/clock`)).json()) as {
            epochMs: number;
            now: string;
          };
          expect(after.epochMs).toBeGreaterThanOrEqual(before.epochMs);
          expect(after.epochMs).toBeLessThanOrEqual(Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 60_000);
          expect(after.now).toMatch(/^\d{4}-\d\d-\d\dT/);
          if (response.status === 200) {
            counts.moved++;
            return;
          }
          counts.refused++;
          expect(response.status, `${JSON.stringify(requested)} -> ${JSON.stringify(answer)}`).toBe(400);
          expect(typeof answer.error).toBe('string');
          expect(typeof answer.message).toBe('string');
        }),
        fuzzParameters({ bounded: 100, long: 5000 }),
      );
      reportFuzz('clock-admin', counts);
    },
    fuzzTimeoutMs(120_000),
  );
});
