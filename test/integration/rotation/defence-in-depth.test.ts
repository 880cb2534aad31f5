// Issue 9 acceptance 6, shown locally: the workflow re-checks the stored request and its votes
// (written only by the authenticated approvals API) itself. A StartExecution with a made-up
// request, one replaying someone else's request, and a SendTaskSuccess sent with the task token
// stolen from the table but no recorded votes rotate nothing and end with named errors.

import { randomUUID } from 'node:crypto';
import { DescribeKeyCommand, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { SendTaskSuccessCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbDocumentClient } from '../../../src/core/aws/clients.ts';
import { type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';

let world: RotationWorld;
const ROTATION_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:rotate-key-material';

beforeAll(async () => {
  world = await startRotationWorld();
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

async function snapshot(keyId: string) {
  const current = (await world.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata
    ?.CurrentKeyMaterialId;
  const materials = (
    await world.kms.send(
      new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    )
  ).Rotations?.map((entry) => entry.KeyMaterialId);
  return { current, materials };
}

describe('the rotation workflow trusts only the approvals store', () => {
  it('a direct StartExecution with a made-up request rotates nothing (RotationRequestNotRecordedError)', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'forged-start' });
    const before = await snapshot(keyId);
    const keysInToken = (await world.token.hsm?.listKeys())?.length;

    // Act
    const { executionArn } = await world.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: ROTATION_ARN,
        input: JSON.stringify({
          requestId: randomUUID(),
          keyId,
          requester: 'arn:aws:iam::111122223333:user/mallory',
        }),
      }),
    );
    const forgedField = await world.waitForExecution(executionArn as string);
    const { executionArn: second } = await world.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: ROTATION_ARN,
        input: JSON.stringify({ requestId: randomUUID(), keyId }),
      }),
    );
    const execution = await world.waitForExecution(second as string);

    // Assess
    expect(forgedField).toMatchObject({ status: 'FAILED', error: 'InvalidRotationInputError' });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'RotationRequestNotRecordedError' });
    expect(await snapshot(keyId)).toEqual(before);
    expect((await world.token.hsm?.listKeys())?.length).toBe(keysInToken);
  }, 120_000);

  it("replaying someone else's open request fails and leaves that request open", async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'replayed' });
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    await world.waitForStatus(request.requestId, 'PENDING');

    // Act
    const { executionArn } = await world.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: ROTATION_ARN,
        name: `replay-${request.requestId.slice(0, 8)}`,
        input: JSON.stringify({ requestId: request.requestId, keyId: request.keyArn }),
      }),
    );
    const execution = await world.waitForExecution(executionArn as string);

    // Assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'RotationRequestNotRecordedError' });
    expect((await world.as('observer').getRequest(request.requestId)).request.status).toBe('PENDING');
    await world.as('carol').vote(request.requestId, { decision: 'reject', reason: 'clean up' });
    await world.waitForExecution(request.executionArn as string);
  }, 120_000);

  it('a SendTaskSuccess with a stolen task token but no votes rotates nothing (NotApprovedError)', async () => {
    // Prepare: someone with read access to the table takes the token.
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'stolen-token' });
    const before = await snapshot(keyId);
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    const pending = await world.waitForStatus(request.requestId, 'PENDING');
    const documents = createDynamoDbDocumentClient({ endpoint: world.approvals.dynamoDbUrl });
    const item = (
      await documents.send(
        new GetCommand({ TableName: world.approvals.tableName, Key: { requestId: request.requestId } }),
      )
    ).Item as { taskToken: string };
    documents.destroy();
    // The table holds the token locked (issue 22 item 6); the worst case is a thief with the real one.
    const taskToken = await world.approvals.unlockTaskToken(item.taskToken, request.requestId);

    // Act
    await world.sfn.send(
      new SendTaskSuccessCommand({
        taskToken,
        output: JSON.stringify({ requestId: request.requestId, status: 'APPROVED', approvers: ['x', 'y'] }),
      }),
    );
    const execution = await world.waitForExecution(request.executionArn as string);

    // Assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'NotApprovedError' });
    expect(await snapshot(keyId)).toEqual(before);
    expect((await world.as('observer').getRequest(request.requestId)).request.status).toBe('CANCELLED');
    const leaked = JSON.stringify(world.stack.events.bus.log({ source: 'byok' }).events);
    expect(leaked).not.toContain(item.taskToken);
    expect(leaked).not.toContain(taskToken);
    await expect(world.token.hsm?.describeKey(pending.newMaterialHsmKey as string)).rejects.toThrow();
  }, 120_000);
});
