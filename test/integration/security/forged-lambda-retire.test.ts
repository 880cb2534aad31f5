// Issue 16 item 1 in Lambda placement: the RetireRotationMaterial function is the same step core as
// the worker's task, so it carries the same guard. A principal who may create a state machine (and
// invoke byok's function through it, lambda:invoke) names the HSM key that holds a rotated key's
// CURRENT material: KMS shows that material came from it, so the function destroys nothing and
// fails with RotationMaterialInUseError; the key keeps serving.
import { DecryptCommand, DescribeKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApprovedRotation } from '../../../src/onprem/simulation/rotation.ts';
import { type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';

let world: RotationWorld;

beforeAll(async () => {
  world = await startRotationWorld();
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('RetireRotationMaterial as a Lambda, invoked from a state machine the attacker created', () => {
  it('refuses to destroy the HSM key holding the CURRENT material (RotationMaterialInUseError)', async () => {
    // Prepare: a key rotated through the real approvals API; its current material is the new HSM key's.
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'lambda-payments' });
    const keyArn = (await world.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata
      ?.Arn as string;
    const rotation = await runApprovedRotation({
      approvalsUrl: world.approvals.url,
      region: world.stack.region,
      sfn: world.sfn,
      keyId: keyArn,
      approvers: ['approver-1'],
      pollMs: 50,
    });
    expect(rotation.status, `${rotation.error}: ${rotation.cause}`).toBe('SUCCEEDED');
    const rotatedLabel = `lambda-payments-r2-${rotation.requestId.slice(0, 8)}`;
    const { stateMachineArn } = await world.sfn.send(
      new CreateStateMachineCommand({
        name: 'mallory-invokes-retire',
        roleArn: 'arn:aws:iam::111122223333:role/mallory',
        definition: JSON.stringify({
          StartAt: 'Retire',
          States: {
            Retire: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: {
                FunctionName: `arn:aws:lambda:${world.stack.region}:${world.stack.accountId}:function:retire-rotation-material`,
                Payload: {
                  abandoned: {
                    requestId: rotation.requestId,
                    keyId: keyArn,
                    outcome: 'FAILED',
                    error: 'States.Timeout',
                    cause: '',
                    deletedKeyMaterialId: null,
                    hsmKeyLabel: rotatedLabel,
                  },
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

    // Assess
    expect(ended.status).toBe('FAILED');
    expect(ended.error).toBe('RotationMaterialInUseError');
    expect(await world.token.hsm?.describeKey(rotatedLabel)).toMatchObject({ label: rotatedLabel });
    const encrypted = await world.kms.send(
      new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('still') }),
    );
    const decrypted = await world.kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
    expect(Buffer.from(decrypted.Plaintext as Uint8Array).toString()).toBe('still');
  }, 90_000);
});
