// Issue 22: no unapproved material, no planted material, no destroyed live material. Each case is an
// attack or an accident the independent tester ran against the rotation workflow; each runs here on
// the real ASL, the real handlers, a real NSS token and the local stack over HTTP.
import { createCipheriv, createHash, randomUUID } from 'node:crypto';
import { DescribeKeyCommand, DisableKeyCommand, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { SendTaskFailureCommand, SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbDocumentClient } from '../../../src/core/aws/clients.ts';
import { HsmKeyNotFoundError } from '../../../src/core/hsm/errors.ts';
import { setStackFaults } from '../../helpers/faults.ts';
import { arnOf, type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';

let world: RotationWorld;
const ROTATION_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:rotate-key-material';
const EXECUTION_PREFIX = 'arn:aws:states:us-east-1:111122223333:execution:rotate-key-material';
const HOUR = 3_600_000;

beforeAll(async () => {
  world = await startRotationWorld({ approvalsRequired: 1 });
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

/** The local stack's fault injection (`afterCommit`: the operation takes effect, then fails). */
const setFaults = (faults: Array<Record<string, unknown>>) => setStackFaults(world.stack.url, faults);

async function keyArnOf(keyId: string): Promise<string> {
  return (await world.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Arn as string;
}

async function snapshot(keyId: string) {
  const current = (await world.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata
    ?.CurrentKeyMaterialId;
  const materials = (
    await world.kms.send(
      new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    )
  ).Rotations?.map((entry) => `${entry.KeyMaterialId}:${entry.KeyMaterialState}`);
  return { current, materials };
}

async function hsmKeyExists(label: string): Promise<boolean> {
  try {
    await world.token.hsm?.describeKey(label);
    return true;
  } catch (error) {
    if (error instanceof HsmKeyNotFoundError) return false;
    throw error;
  }
}

function eventsOf(requestId: string, detailType: string) {
  return world.stack.events.bus
    .log({ source: 'byok' })
    .events.filter(
      (event) =>
        event['detail-type'] === detailType &&
        (event.detail as { requestId?: string }).requestId === requestId,
    )
    .map((event) => event.detail as Record<string, unknown>);
}

/** A request recorded by the store as the API records it, before its execution runs. */
async function recordedRequest(keyId: string) {
  const keyArn = await keyArnOf(keyId);
  const request = await world.approvals.store.create({
    keyId,
    keyArn,
    requester: arnOf('requester'),
    reason: 'rotate',
    approvalsRequired: 1,
    deadline: new Date(world.stack.clock.now().getTime() + 72 * HOUR),
  });
  return { request, keyArn };
}

/** Polls until `done` holds (bounded), so a broken control fails fast instead of hanging. */
async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  attempts = 200,
): Promise<T> {
  let value = await read();
  for (let attempt = 0; attempt < attempts && !done(value); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

async function describeExecution(executionArn: string) {
  const { DescribeExecutionCommand } = await import('@aws-sdk/client-sfn');
  return world.sfn.send(new DescribeExecutionCommand({ executionArn }));
}

/** The task token as it is stored, and the token itself (for a test that plays a thief with it). */
async function storedTaskToken(requestId: string): Promise<{ stored: string; token: string }> {
  const documents = createDynamoDbDocumentClient({ endpoint: world.approvals.dynamoDbUrl });
  const item = (
    await documents.send(new GetCommand({ TableName: world.approvals.tableName, Key: { requestId } }))
  ).Item as { taskToken: string };
  documents.destroy();
  const stored = item.taskToken;
  const token = world.approvals.unlockTaskToken
    ? await world.approvals.unlockTaskToken(stored, requestId)
    : stored;
  return { stored, token };
}

describe('a forged StartExecution naming a request still AWAITING_MATERIAL (item 4)', () => {
  it('is refused by ValidateRotation: the real request stays open and no HSM key is made', async () => {
    // Prepare: the request exists and names its real execution, which has not run yet.
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'awaiting' });
    const { request, keyArn } = await recordedRequest(keyId);
    await world.approvals.store.setExecution(request.requestId, `${EXECUTION_PREFIX}:${request.requestId}`);
    const before = await snapshot(keyId);
    const label = `awaiting-r2-${request.requestId.slice(0, 8)}`;

    // Act
    const { executionArn } = await world.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: ROTATION_ARN,
        name: `forged-${request.requestId.slice(0, 8)}`,
        input: JSON.stringify({ requestId: request.requestId, keyId: keyArn }),
      }),
    );
    const settled = await eventually(
      async () => ({
        execution: await describeExecution(executionArn as string),
        request: await world.approvals.store.get(request.requestId),
      }),
      ({ execution, request: stored }) =>
        execution.status !== 'RUNNING' || stored.status !== 'AWAITING_MATERIAL',
    );

    // Assess
    expect(settled.request.status).toBe('AWAITING_MATERIAL');
    expect(settled.execution).toMatchObject({ status: 'FAILED', error: 'RotationRequestNotRecordedError' });
    expect(await hsmKeyExists(label)).toBe(false);
    expect(await snapshot(keyId)).toEqual(before);
  }, 120_000);
});

describe('a key planted in the HSM under the label the rotation will use (item 2)', () => {
  it('is not reused as new material: the rotation fails by name before any vote', async () => {
    // Prepare: the attacker imports known material under <label>-r2-<request8> before the run.
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'planted' });
    const { request, keyArn } = await recordedRequest(keyId);
    const label = `planted-r2-${request.requestId.slice(0, 8)}`;
    const known = Buffer.alloc(32, 0x42);
    await world.token.hsm?.importKey({ label, type: 'AES_256', material: known });
    const cipher = createCipheriv('aes-256-ecb', known, null).setAutoPadding(false);
    const knownKcv = Buffer.concat([cipher.update(Buffer.alloc(16)), cipher.final()])
      .toString('hex')
      .slice(0, 6);

    // Act: the execution the API would start (named after the request).
    const { executionArn } = await world.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: ROTATION_ARN,
        name: request.requestId,
        input: JSON.stringify({ requestId: request.requestId, keyId: keyArn }),
      }),
    );
    await world.approvals.store.setExecution(request.requestId, executionArn as string);
    const settled = await eventually(
      async () => ({
        execution: await describeExecution(executionArn as string),
        request: await world.approvals.store.get(request.requestId),
      }),
      ({ execution, request: stored }) => execution.status !== 'RUNNING' || stored.status === 'PENDING',
    );

    // Assess
    expect(settled.request.checkValue).not.toBe(knownKcv);
    expect(settled.request.status).not.toBe('PENDING');
    expect(settled.execution).toMatchObject({ status: 'FAILED', error: 'RotationMaterialNotProvenError' });
    expect(eventsOf(request.requestId, 'byok Key Material Rotation Abandoned')[0]).toMatchObject({
      outcome: 'REFUSED',
    });
  }, 120_000);
});

describe('an ambiguous RotateKeyOnDemand (KMS committed, the state gave up) (item 3)', () => {
  it('is followed to completion: the new material is CURRENT and its HSM key is kept', async () => {
    // Prepare: RotateKeyOnDemand takes effect in KMS, then answers with an error (the answer lost).
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'ambiguous' });
    const before = await snapshot(keyId);
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    const pending = await world.waitForStatus(request.requestId, 'PENDING');
    await setFaults([
      {
        operation: 'RotateKeyOnDemand',
        exception: 'DependencyTimeoutException',
        afterCommit: true,
        count: 1,
      },
    ]);

    // Act
    await world.as('erin').vote(request.requestId, { decision: 'approve', reason: 'ok' });
    const execution = await world.waitForExecution(request.executionArn as string);
    await setFaults([]);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(await hsmKeyExists(pending.newMaterialHsmKey as string)).toBe(true);
    expect(eventsOf(request.requestId, 'byok Key Material Rotation Abandoned')).toEqual([]);
    expect((await snapshot(keyId)).current).not.toBe(before.current);
  }, 120_000);

  it('an ambiguous ImportKeyMaterial: the pending material is found by its HSM key and deleted', async () => {
    // Prepare: the import takes effect in KMS, then answers with an error.
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'ambiguous-import' });
    const before = await snapshot(keyId);
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    const pending = await world.waitForStatus(request.requestId, 'PENDING');
    await setFaults([
      { operation: 'ImportKeyMaterial', exception: 'KMSInvalidStateException', afterCommit: true, count: 1 },
    ]);

    // Act
    await world.as('erin').vote(request.requestId, { decision: 'approve', reason: 'ok' });
    const execution = await world.waitForExecution(request.executionArn as string);
    await setFaults([]);
    const event = eventsOf(request.requestId, 'byok Key Material Rotation Abandoned')[0];

    // Assess: nothing pending is left behind to be rotated in later without its HSM key.
    expect(execution).toMatchObject({ status: 'FAILED', error: 'KMSInvalidStateException' });
    expect(await snapshot(keyId)).toEqual(before);
    expect(event?.deletedKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(await hsmKeyExists(pending.newMaterialHsmKey as string)).toBe(false);
  }, 120_000);
});

describe('outcomes are recorded and told truthfully', () => {
  it('a request the workflow refuses is closed with its outcome, not left AWAITING_MATERIAL', async () => {
    // Prepare: the key is disabled after the request was made.
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'refused' });
    await world.kms.send(new DisableKeyCommand({ KeyId: keyId }));

    // Act
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    const execution = await world.waitForExecution(request.executionArn as string);
    const stored = await eventually(
      () => world.approvals.store.get(request.requestId),
      (value) => value.status !== 'AWAITING_MATERIAL',
    );

    // Assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'KeyNotRotatableError' });
    expect(stored.status).toBe('CANCELLED');
    expect(stored.outcome).toMatchObject({ outcome: 'REFUSED', error: 'KeyNotRotatableError' });
  }, 120_000);

  it('a SendTaskFailure sent with a stolen token is not reported as a rejection', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'stolen-failure' });
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    await world.waitForStatus(request.requestId, 'PENDING');
    const { token } = await storedTaskToken(request.requestId);

    // Act
    await world.sfn.send(
      new SendTaskFailureCommand({ taskToken: token, error: 'ApprovalRejectedError', cause: 'nobody voted' }),
    );
    const execution = await world.waitForExecution(request.executionArn as string);
    const event = (
      await eventually(
        async () => eventsOf(request.requestId, 'byok Key Material Rotation Abandoned'),
        (events) => events.length > 0,
      )
    )[0];

    // Assess
    expect(execution.status).toBe('FAILED');
    expect(event?.outcome).not.toBe('REJECTED');
    expect(event).toMatchObject({ outcome: 'FAILED' });
    const stored = await world.approvals.store.get(request.requestId);
    expect(stored.status).toBe('CANCELLED');
    expect(Object.keys(stored.votes)).toEqual([]);
  }, 120_000);

  it('a failure after the approval closes the request with outcome FAILED instead of leaving it APPROVED', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'approved-then-failed' });
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    await world.waitForStatus(request.requestId, 'PENDING');
    await setFaults([{ operation: 'ImportKeyMaterial', exception: 'KMSInvalidStateException', count: 1 }]);

    // Act
    await world.as('erin').vote(request.requestId, { decision: 'approve', reason: 'ok' });
    const execution = await world.waitForExecution(request.executionArn as string);
    await setFaults([]);
    const stored = await world.approvals.store.get(request.requestId);

    // Assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'KMSInvalidStateException' });
    expect(stored.status).toBe('CANCELLED');
    expect(stored.outcome).toMatchObject({ outcome: 'FAILED', error: 'KMSInvalidStateException' });
    expect(stored.votes[arnOf('erin')]?.decision).toBe('approve');
  }, 120_000);
});

describe('the approvals table is not an authority by itself (item 6)', () => {
  it('the stored task token closes no task: it is locked for the approvals API', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'locked-token' });
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    await world.waitForStatus(request.requestId, 'PENDING');
    const { stored } = await storedTaskToken(request.requestId);

    // Act
    const refused = await world.sfn
      .send(new SendTaskSuccessCommand({ taskToken: stored, output: '{}' }))
      .then(
        () => 'accepted',
        (error: Error) => error.name,
      );

    // Assess
    expect(refused).not.toBe('accepted');
    expect((await world.as('observer').getRequest(request.requestId)).request.status).toBe('PENDING');
    await world.as('carol').vote(request.requestId, { decision: 'reject', reason: 'clean up' });
    await world.waitForExecution(request.executionArn as string);
  }, 120_000);

  it('votes written straight into the table, with the real token, do not pass the re-check', async () => {
    // Prepare: someone who can write the table records two approvals and marks the request approved,
    // and (the worst case) holds the real task token.
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'forged-votes' });
    const before = await snapshot(keyId);
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    await world.waitForStatus(request.requestId, 'PENDING');
    const { token } = await storedTaskToken(request.requestId);
    const documents = createDynamoDbDocumentClient({ endpoint: world.approvals.dynamoDbUrl });
    const item = (
      await documents.send(
        new GetCommand({ TableName: world.approvals.tableName, Key: { requestId: request.requestId } }),
      )
    ).Item as Record<string, unknown>;
    const at = world.stack.clock.now().toISOString();
    const forgedVote = {
      decision: 'approve',
      reason: 'ok',
      at,
      seal: createHash('sha256').update('x').digest('base64'),
    };
    await documents.send(
      new PutCommand({
        TableName: world.approvals.tableName,
        Item: {
          ...item,
          status: 'APPROVED',
          approvals: 2,
          votes: { [arnOf('mallory')]: forgedVote, [arnOf('mallory2')]: forgedVote },
          version: (item.version as number) + 1,
        },
      }),
    );
    documents.destroy();

    // Act
    await world.sfn.send(
      new SendTaskSuccessCommand({
        taskToken: token,
        output: JSON.stringify({ requestId: request.requestId, status: 'APPROVED', approvers: [] }),
      }),
    );
    const execution = await world.waitForExecution(request.executionArn as string);

    // Assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'NotApprovedError' });
    expect(await snapshot(keyId)).toEqual(before);
  }, 120_000);
});

describe('the rotation workflow refuses input that is not an object (issue 17)', () => {
  it.each([['[]'], ['"x"'], ['42']])(
    'refuses %s with InvalidRotationInputError',
    async (input) => {
      // Act
      const { executionArn } = await world.sfn.send(
        new StartExecutionCommand({ stateMachineArn: ROTATION_ARN, name: `bad-${randomUUID()}`, input }),
      );
      const execution = await world.waitForExecution(executionArn as string);

      // Assess
      expect(execution).toMatchObject({ status: 'FAILED', error: 'InvalidRotationInputError' });
    },
    60_000,
  );
});
