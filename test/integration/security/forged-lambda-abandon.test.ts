// Red team, account principal (docs/security.md, "Account principals"): the rotation's
// AbandonRotation function, invoked directly (here lambda:invoke from a state machine the attacker
// created) with a made-up plan that names a real request waiting for votes and its execution,
// closed that request (EXPIRED): the approvers' votes were refused and the rotation died. Its role
// also deletes pending rotation material. It now acts only on a payload the rotation's own
// execution scheduled: UnscheduledInvocationError, the request stays open and the rotation completes.
import { randomUUID } from 'node:crypto';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';

let world: RotationWorld;

beforeAll(async () => {
  world = await startRotationWorld({ approvalsRequired: 1 });
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('AbandonRotation as a Lambda, invoked from a state machine the attacker created', () => {
  it('closes no request and deletes nothing (UnscheduledInvocationError); the rotation still completes', async () => {
    // Prepare: a rotation waiting for its one vote.
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'abandon-payments' });
    const keyArn = (await world.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata
      ?.Arn as string;
    const { request } = await world.as('requester').requestRotation({ keyId: keyArn, reason: 'rotate' });
    await world.waitForStatus(request.requestId, 'PENDING');
    const rotation = {
      requestId: request.requestId,
      keyArn,
      keyId: keyArn,
      requester: 'mallory',
      reason: 'rotate',
      deadline: new Date(Date.now() + 3_600_000).toISOString(),
      approvalsRequired: 1,
      approvalTimeoutSeconds: 3600,
      currentHsmKeyLabel: 'abandon-payments',
      newHsmKeyLabel: `abandon-payments-r2-${request.requestId.slice(0, 8)}`,
      sequence: 2,
      oldKeyMaterialId: 'a'.repeat(64),
      replicaArns: [],
      probe: { ciphertext: 'AQID', plaintextSha256: '0'.repeat(64) },
    };
    const { stateMachineArn } = await world.sfn.send(
      new CreateStateMachineCommand({
        name: `mallory-abandons-${randomUUID().slice(0, 8)}`,
        roleArn: 'arn:aws:iam::111122223333:role/mallory',
        definition: JSON.stringify({
          StartAt: 'Abandon',
          States: {
            Abandon: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: {
                FunctionName: `arn:aws:lambda:${world.stack.region}:${world.stack.accountId}:function:abandon-rotation`,
                Payload: {
                  request: { requestId: request.requestId, keyId: keyArn },
                  rotation,
                  material: null,
                  newMaterial: null,
                  failure: { Error: 'States.Timeout', Cause: '' },
                  executionId: request.executionArn,
                },
              },
              End: true,
            },
          },
        }),
      }),
    );

    // Act
    const { executionArn } = await world.sfn.send(
      new StartExecutionCommand({ stateMachineArn, input: '{}' }),
    );
    let ended = await world.sfn.send(new DescribeExecutionCommand({ executionArn }));
    while (ended.status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ended = await world.sfn.send(new DescribeExecutionCommand({ executionArn }));
    }

    // Assess: refused by name; the request still waits for its vote, which completes the rotation.
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toBe('UnscheduledInvocationError');
    expect((await world.approvals.store.get(request.requestId)).status).toBe('PENDING');
    await world.as('approver-1').vote(request.requestId, { decision: 'approve', reason: 'ok' });
    const rotated = await world.waitForExecution(request.executionArn as string);
    expect(rotated.status, `${rotated.error}: ${rotated.cause}`).toBe('SUCCEEDED');
  }, 60_000);
});
