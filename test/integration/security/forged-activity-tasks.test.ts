// Issue 16 item 1, played end to end: a compromised account principal creates its own state machine
// (CreateStateMachine on the local Step Functions API, once through the real AWS CLI) whose Tasks
// send forged tasks to byok's activities, which a real `byok worker` process polls. The worker
// holds a key whose CURRENT material came, through an approved rotation run by this same worker,
// from the HSM key `payments-r2-<request8>`. Every forged task is refused by name, destroys and
// wraps nothing, raises the refused-task alert, and never carries a forged value into a log line
// or the alert.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DecryptCommand, DescribeKeyCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient, createSfnClient } from '../../../src/core/aws/clients.ts';
import type { LocalStack } from '../../../src/local/stack.ts';
import { localActivityArn } from '../../../src/onprem/runner/hsm-placement.ts';
import type { LocalApprovals } from '../../../src/onprem/simulation/approvals.ts';
import { runApprovedRotation } from '../../../src/onprem/simulation/rotation.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';
import { runByok, spawnWorker, type WorkerProcess } from '../../helpers/worker-process.ts';
import { startWorkerRotationStack, type WorkerRotationStack } from '../../helpers/worker-rotation-stack.ts';

const execFileAsync = promisify(execFile);
const LABEL = 'payments';
const ROLE = 'arn:aws:iam::111122223333:role/mallory';

describe('forged activity tasks from a state machine the attacker created', () => {
  let token: TestToken;
  let stack: LocalStack;
  let world: WorkerRotationStack;
  let approvals: LocalApprovals;
  let kms: KMSClient;
  let sfn: SFNClient;
  let worker: WorkerProcess;
  let keyArn: string;
  let requestId: string;
  let rotatedLabel: string;
  let work: string;

  const activity = (step: string) => localActivityArn(step, stack.region, stack.accountId);

  /** Creates a one-Task state machine on `step`'s activity and runs it with `input`: its end. */
  async function forge(name: string, step: string, parameters: unknown, input: unknown = {}) {
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name,
        roleArn: ROLE,
        definition: JSON.stringify({
          StartAt: 'Forge',
          States: {
            Forge: {
              Type: 'Task',
              Resource: activity(step),
              Parameters: parameters,
              HeartbeatSeconds: 30,
              TimeoutSeconds: 120,
              End: true,
            },
          },
        }),
      }),
    );
    const ended = await run(created.stateMachineArn as string, input);
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    return ended;
  }

  async function run(stateMachineArn: string, input: unknown) {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
    );
    for (;;) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== 'RUNNING') return described;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async function hsmLabels(): Promise<string[]> {
    const listed = await runByok(['hsm', 'list', '--json'], { BYOK_HOME: token.byokHome });
    expect(listed.code, listed.stderr).toBe(0);
    const parsed = JSON.parse(listed.stdout) as
      | { keys?: Array<{ label: string }> }
      | Array<{ label: string }>;
    return (Array.isArray(parsed) ? parsed : (parsed.keys ?? [])).map((key) => key.label);
  }

  function alerts() {
    return stack.events.bus.log({ source: 'byok', detailType: 'byok Worker Refused Task' }).events;
  }

  async function keyStillServes(): Promise<void> {
    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    expect(described.KeyMetadata?.KeyState).toBe('Enabled');
    const encrypted = await kms.send(
      new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('after the rotation') }),
    );
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
    expect(Buffer.from(decrypted.Plaintext as Uint8Array).toString()).toBe('after the rotation');
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'byok-forged-'));
    token = await createTestToken('nss', { keys: [{ label: LABEL, type: 'AES_256' }] });
    await token.hsm?.close();
    // Two GetParametersForImport calls in a row never share a wrapping key (as on AWS, each its own):
    // the worker wraps under the key it asked KMS for, and the import and the rotation must send
    // that call's token with the blob (the rotation sent step 1's, and passed only while the stack
    // happened to hand both calls the same pair: under load it failed InvalidCiphertextException).
    world = await startWorkerRotationStack();
    ({ stack, approvals } = world);
    kms = createKmsClient({ endpoint: stack.url });
    sfn = createSfnClient({ endpoint: stack.url });
    const keyId = await createManagedExternalKey(kms, { hsmKeyLabel: LABEL });
    keyArn = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Arn as string;
    worker = spawnWorker(
      ['--endpoint', stack.url, '--heartbeat-interval', '1', '--bind', `${LABEL}=${keyArn}`],
      {
        BYOK_HOME: token.byokHome,
      },
    );
    await worker.polling;
    const imported = await runByok([
      'import',
      '--endpoint',
      stack.url,
      '--key-id',
      keyArn,
      '--valid-for',
      '30d',
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    const rotation = await runApprovedRotation({
      approvalsUrl: approvals.url,
      region: stack.region,
      sfn,
      keyId: keyArn,
      approvers: ['approver-1'],
      pollMs: 100,
      maxPolls: 600,
    });
    expect(rotation.status, `${rotation.error}: ${rotation.cause}`).toBe('SUCCEEDED');
    requestId = rotation.requestId;
    rotatedLabel = `${LABEL}-r2-${requestId.slice(0, 8)}`;
    const planted = await runByok(
      ['hsm', 'create-key', '--label', `${LABEL}-r1-deadbeef`, '--type', 'AES_256'],
      {
        BYOK_HOME: token.byokHome,
      },
    );
    expect(planted.code, planted.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    kms?.destroy();
    sfn?.destroy();
    await worker?.stop();
    await world?.stop();
    await token?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('refuses to destroy the HSM key holding the CURRENT material, named for its real request (created with the AWS CLI)', async () => {
    // Prepare: the attacker's definition, made with the real AWS CLI.
    const definition = join(work, 'retire.asl.json');
    await writeFile(
      definition,
      JSON.stringify({
        StartAt: 'Forge',
        States: {
          Forge: {
            Type: 'Task',
            Resource: activity('retire-rotation-material'),
            Parameters: {
              abandoned: {
                requestId,
                keyId: keyArn,
                outcome: 'FAILED',
                error: 'States.Timeout',
                cause: '',
                deletedKeyMaterialId: null,
                hsmKeyLabel: rotatedLabel,
              },
            },
            HeartbeatSeconds: 30,
            End: true,
          },
        },
      }),
    );
    const alertsBefore = alerts().length;
    const { stdout } = await execFileAsync(
      '/usr/bin/aws',
      [
        'stepfunctions',
        'create-state-machine',
        '--name',
        'mallory-retire',
        '--definition',
        `file://${definition}`,
        '--role-arn',
        ROLE,
        '--endpoint-url',
        stack.url,
        '--output',
        'json',
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: work,
          AWS_ACCESS_KEY_ID: 'mallory',
          AWS_SECRET_ACCESS_KEY: 'mallory',
          AWS_DEFAULT_REGION: stack.region,
          AWS_PAGER: '',
          AWS_CONFIG_FILE: join(work, 'no-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    const { stateMachineArn } = JSON.parse(stdout) as { stateMachineArn: string };

    // Act
    const ended = await run(stateMachineArn, {});

    // Assess
    expect(stateMachineArn).toBe(
      `arn:aws:states:${stack.region}:${stack.accountId}:stateMachine:mallory-retire`,
    );
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toBe('RotationMaterialInUseError');
    expect(await hsmLabels()).toContain(rotatedLabel);
    await keyStillServes();
    expect(
      alerts()
        .slice(alertsBefore)
        .map((event) => event.detail),
    ).toEqual([
      expect.objectContaining({
        error: 'RotationMaterialInUseError',
        hsmKeyLabel: rotatedLabel,
        keyId: keyArn,
      }),
    ]);
    expect(worker.tasks().at(-1)).toMatchObject({ outcome: 'refused', error: 'RotationMaterialInUseError' });
  }, 60_000);

  it('refuses request id `deadbeef` and a planted look-alike `payments-r1-deadbeef`: nothing destroyed', async () => {
    // Prepare
    const abandoned = (id: string) => ({
      abandoned: {
        requestId: id,
        keyId: keyArn,
        outcome: 'FAILED',
        error: 'States.Timeout',
        cause: '',
        deletedKeyMaterialId: null,
        hsmKeyLabel: `${LABEL}-r1-deadbeef`,
      },
    });

    // Act
    const shortId = await forge('mallory-deadbeef', 'retire-rotation-material', abandoned('deadbeef'));
    const uuidId = await forge(
      'mallory-deadbeef-uuid',
      'retire-rotation-material',
      abandoned('deadbeef-0000-4000-8000-000000000000'),
    );

    // Assess
    expect(shortId.status).toBe('FAILED');
    expect(shortId.error).toBe('WorkerTaskInputError');
    expect(shortId.cause).toContain('requestId');
    expect(uuidId.status).toBe('FAILED');
    expect(uuidId.error).toBe('WorkerRotationKeyUnknownError');
    expect(await hsmLabels()).toContain(`${LABEL}-r1-deadbeef`);
  }, 60_000);

  it('refuses to wrap the planted look-alike `payments-r1-deadbeef` for the key bound to `payments`', async () => {
    // Prepare
    const now = stack.clock.now().getTime();
    const alertsBefore = alerts().length;

    // Act
    const ended = await forge('mallory-wrap', 'wrap-key-material', {
      executionId: `arn:aws:states:${stack.region}:${stack.accountId}:execution:mallory-wrap:x`,
      importParameters: wrapParameters({
        keyId: keyArn,
        hsmKeyLabel: `${LABEL}-r1-deadbeef`,
        validTo: new Date(now + 30 * 86_400_000).toISOString(),
        parametersValidTo: new Date(now + 86_400_000).toISOString(),
      }),
    });

    // Assess
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toBe('WorkerRotationKeyUnknownError');
    expect(ended.output).toBeUndefined();
    expect(
      alerts()
        .slice(alertsBefore)
        .map((event) => event.detail),
    ).toEqual([
      expect.objectContaining({
        error: 'WorkerRotationKeyUnknownError',
        hsmKeyLabel: `${LABEL}-r1-deadbeef`,
      }),
    ]);
  }, 60_000);

  it('refuses a 200 KB label before logging it: not in the log lines, the notes, the answer or the alert', async () => {
    // Prepare
    const forged = `forged-${'Z'.repeat(200 * 1024)}`;
    const alertsBefore = alerts().length;
    const stdoutBefore = JSON.stringify(worker.tasks()).length;

    // Act
    const ended = await forge(
      'mallory-huge',
      'retire-rotation-material',
      { 'abandoned.$': '$.abandoned' },
      {
        abandoned: {
          requestId,
          keyId: keyArn,
          outcome: 'FAILED',
          error: 'States.Timeout',
          cause: '',
          deletedKeyMaterialId: null,
          hsmKeyLabel: forged,
        },
      },
    );

    // Assess
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toBe('WorkerTaskInputError');
    expect(ended.cause).toContain('hsmKeyLabel');
    expect(ended.cause).not.toContain('ZZZZZZZZ');
    const raised = alerts().slice(alertsBefore);
    expect(raised.map((event) => event.detail)).toEqual([
      expect.objectContaining({ error: 'WorkerTaskInputError' }),
    ]);
    expect(JSON.stringify(raised).length).toBeLessThan(4096);
    expect(JSON.stringify(raised)).not.toContain('ZZZZZZZZ');
    expect(JSON.stringify(worker.tasks()).length - stdoutBefore).toBeLessThan(4096);
    expect(JSON.stringify(worker.tasks())).not.toContain('ZZZZZZZZ');
    expect(worker.stderr()).not.toContain('ZZZZZZZZ');
  }, 60_000);

  it('refuses SHA-1 wrapping: this worker was not started with --allow-sha1', async () => {
    // Prepare
    const now = stack.clock.now().getTime();

    // Act
    const ended = await forge('mallory-sha1', 'wrap-key-material', {
      executionId: `arn:aws:states:${stack.region}:${stack.accountId}:execution:mallory-sha1:x`,
      importParameters: wrapParameters({
        keyId: keyArn,
        hsmKeyLabel: LABEL,
        wrappingAlgorithm: 'RSAES_OAEP_SHA_1',
        validTo: new Date(now + 30 * 86_400_000).toISOString(),
        parametersValidTo: new Date(now + 86_400_000).toISOString(),
      }),
    });

    // Assess
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toBe('WorkerSha1WrappingRefusedError');
    expect(ended.output).toBeUndefined();
  }, 60_000);
});

function wrapParameters(fields: {
  keyId: string;
  hsmKeyLabel: string;
  validTo: string;
  parametersValidTo: string;
  wrappingAlgorithm?: string;
}) {
  return {
    keyId: fields.keyId,
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    family: 'SYMMETRIC',
    hsmKeyLabel: fields.hsmKeyLabel,
    hsmKeyType: 'AES_256',
    wrappingAlgorithm: fields.wrappingAlgorithm ?? 'RSAES_OAEP_SHA_256',
    wrappingKeySpec: 'RSA_2048',
    expirationModel: 'KEY_MATERIAL_EXPIRES',
    validTo: fields.validTo,
    importToken: Buffer.from('forged import token').toString('base64'),
    wrappingPublicKey: Buffer.from('forged public key').toString('base64'),
    parametersValidTo: fields.parametersValidTo,
    importTokenAttempt: 1,
  };
}
