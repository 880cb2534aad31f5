// Red team, account principal (docs/security.md, "Account principals"): the rotation's functions
// invoked directly (here lambda:invoke from a state machine the attacker created) with a made-up
// plan that names a real request and its execution.
//   AbandonRotation closed that request (EXPIRED) while it waited for votes: the approvers' votes
//   were refused and the rotation died. Its role also deletes pending rotation material.
//   AwaitApproval's OpenApproval, called while the real execution was still validating, opened the
//   request for votes with the attacker's task token and check value: the real OpenApproval then
//   failed and the rotation was abandoned.
// Both now act only on a payload the rotation's own execution scheduled: UnscheduledInvocationError,
// the request is untouched and the rotation completes.
import { randomUUID } from 'node:crypto';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setStackFaults } from '../../helpers/faults.ts';
import { type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';

let world: RotationWorld;

beforeAll(async () => {
  world = await startRotationWorld({ approvalsRequired: 1 });
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

/** The local stack's fault injection (latency here: the real execution takes its time). */
const setFaults = (faults: Array<Record<string, unknown>>) => setStackFaults(world.stack.url, faults);

/** A plan of the attacker's making for a real request and key. */
function madeUpPlan(requestId: string, keyArn: string, label: string) {
  return {
    requestId,
    keyArn,
    keyId: keyArn,
    requester: 'mallory',
    reason: 'rotate',
    deadline: new Date(Date.now() + 3_600_000).toISOString(),
    approvalsRequired: 1,
    approvalTimeoutSeconds: 3600,
    currentHsmKeyLabel: label,
    newHsmKeyLabel: `${label}-r2-${requestId.slice(0, 8)}`,
    sequence: 2,
    oldKeyMaterialId: 'a'.repeat(64),
    replicaArns: [],
    probe: { ciphertext: 'AQID', plaintextSha256: '0'.repeat(64) },
  };
}

/** Runs Mallory's one-Task state machine invoking byok's `functionName` with `payload`. */
async function invokeDirectly(functionName: string, payload: unknown) {
  const { stateMachineArn } = await world.sfn.send(
    new CreateStateMachineCommand({
      name: `mallory-${functionName}-${randomUUID().slice(0, 8)}`,
      roleArn: 'arn:aws:iam::111122223333:role/mallory',
      definition: JSON.stringify({
        StartAt: 'Invoke',
        States: {
          Invoke: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: {
              FunctionName: `arn:aws:lambda:${world.stack.region}:${world.stack.accountId}:function:${functionName}`,
              Payload: payload,
            },
            End: true,
          },
        },
      }),
    }),
  );
  const { executionArn } = await world.sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
  let ended = await world.sfn.send(new DescribeExecutionCommand({ executionArn }));
  while (ended.status === 'RUNNING') {
    await new Promise((resolve) => setTimeout(resolve, 50));
    ended = await world.sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  return ended;
}

describe('OpenApproval as a Lambda, invoked from a state machine the attacker created', () => {
  it('opens no request with a task token and check value of its own (UnscheduledInvocationError); the rotation still completes', async () => {
    // Prepare: a rotation whose execution is slow to validate (its request still AWAITING_MATERIAL).
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'open-payments' });
    const keyArn = (await world.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata
      ?.Arn as string;
    await setFaults([{ operation: 'GetKeyRotationStatus', latencyMs: 3000, count: 1 }]);
    const { request } = await world.as('requester').requestRotation({ keyId: keyArn, reason: 'rotate' });

    // Act
    const ended = await invokeDirectly('open-approval', {
      taskToken: 'mallory-task-token',
      rotation: madeUpPlan(request.requestId, keyArn, 'open-payments'),
      material: { hsmKeyLabel: 'mallory-key', hsmKeyType: 'AES_256', checkValue: 'abcdef' },
      executionId: request.executionArn,
    });
    const during = await world.approvals.store.get(request.requestId);

    // Assess: refused by name; the real execution opens the request with its own check value.
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toBe('UnscheduledInvocationError');
    expect(during.status).toBe('AWAITING_MATERIAL');
    await world.waitForStatus(request.requestId, 'PENDING');
    expect((await world.approvals.store.get(request.requestId)).checkValue).not.toBe('abcdef');
    await world.as('approver-1').vote(request.requestId, { decision: 'approve', reason: 'ok' });
    const rotated = await world.waitForExecution(request.executionArn as string);
    expect(rotated.status, `${rotated.error}: ${rotated.cause}`).toBe('SUCCEEDED');
  }, 60_000);
});

describe('AbandonRotation as a Lambda, invoked from a state machine the attacker created', () => {
  it('closes no request and deletes nothing (UnscheduledInvocationError); the rotation still completes', async () => {
    // Prepare: a rotation waiting for its one vote.
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'abandon-payments' });
    const keyArn = (await world.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata
      ?.Arn as string;
    const { request } = await world.as('requester').requestRotation({ keyId: keyArn, reason: 'rotate' });
    await world.waitForStatus(request.requestId, 'PENDING');

    // Act
    const ended = await invokeDirectly('abandon-rotation', {
      request: { requestId: request.requestId, keyId: keyArn },
      rotation: madeUpPlan(request.requestId, keyArn, 'abandon-payments'),
      material: null,
      newMaterial: null,
      failure: { Error: 'States.Timeout', Cause: '' },
      executionId: request.executionArn,
    });

    // Assess: refused by name; the request still waits for its vote, which completes the rotation.
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toBe('UnscheduledInvocationError');
    expect((await world.approvals.store.get(request.requestId)).status).toBe('PENDING');
    await world.as('approver-1').vote(request.requestId, { decision: 'approve', reason: 'ok' });
    const rotated = await world.waitForExecution(request.executionArn as string);
    expect(rotated.status, `${rotated.error}: ${rotated.cause}`).toBe('SUCCEEDED');
  }, 60_000);
});
