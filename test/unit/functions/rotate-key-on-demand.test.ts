// The RotateKeyOnDemand function's role is the only one that may rotate a managed key
// (docs/security.md, "Rotation and approvals"). It rotates only for a payload the rotation's own
// execution scheduled (docs/security.md, "Account principals"): a direct invoke with a plan of
// one's own gets UnscheduledInvocationError before KMS is called. The deployed check reads the
// execution's history through the SFN client (mocked here with the events' AWS shape).
import { KMSClient, RotateKeyOnDemandCommand } from '@aws-sdk/client-kms';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/rotate-key-on-demand.ts';
import { UnscheduledInvocationError } from '../../../src/core/step-kernel/errors.ts';
import { stepFunctionsScheduledInvocations } from '../../../src/lambda/scheduled-invocations.ts';

const kmsMock = mockClient(KMSClient);
const sfnMock = mockClient(SFNClient);
const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const MACHINE = 'arn:aws:states:eu-west-1:111122223333:stateMachine:byok-dev-rotate-key-material';
const EXECUTION = 'arn:aws:states:eu-west-1:111122223333:execution:byok-dev-rotate-key-material:req-1';
const FUNCTION = 'byok-dev-rotateKeyOnDemand';
const payload = {
  rotation: {
    requestId: '6f1c2b9e-3d4a-4b5c-8d6e-7f8091a2b3c4',
    keyArn: KEY_ARN,
    keyId: KEY_ARN,
    requester: 'arn:aws:iam::111122223333:user/alice',
    reason: 'yearly',
    deadline: '2027-01-03T12:00:00.000Z',
    approvalsRequired: 1,
    approvalTimeoutSeconds: 3600,
    currentHsmKeyLabel: 'payments',
    newHsmKeyLabel: 'payments-r2-6f1c2b9e',
    sequence: 2,
    oldKeyMaterialId: 'a'.repeat(64),
    replicaArns: [],
    probe: { ciphertext: 'AQID', plaintextSha256: '0'.repeat(64) },
  },
  newMaterial: { keyMaterialId: 'b'.repeat(64), importedAt: '2027-01-01T12:00:00.000Z' },
  executionId: EXECUTION,
};

function handlerWithHistory(scheduled: unknown) {
  sfnMock.on(GetExecutionHistoryCommand).resolves({
    events: [
      {
        id: 30,
        type: 'LambdaFunctionScheduled',
        timestamp: new Date(),
        lambdaFunctionScheduledEventDetails: {
          resource: `arn:aws:lambda:eu-west-1:111122223333:function:${FUNCTION}`,
          input: JSON.stringify(scheduled),
          inputDetails: { truncated: false },
        },
      },
    ],
  });
  kmsMock.on(RotateKeyOnDemandCommand).resolves({ KeyId: KEY_ARN });
  return createHandler({
    kms: new KMSClient({}),
    clock: { now: () => new Date('2027-01-01T12:01:00.000Z') },
    scheduledInvocations: stepFunctionsScheduledInvocations({
      sfn: new SFNClient({}),
      functionName: FUNCTION,
      stateMachineArns: [MACHINE],
    }),
  });
}

describe('the RotateKeyOnDemand function', () => {
  afterEach(() => {
    kmsMock.reset();
    sfnMock.reset();
  });

  it("rotates the key for the payload the rotation's execution scheduled", async () => {
    // Act
    const output = await handlerWithHistory(payload)(payload);

    // Assess
    expect(output).toEqual({ startedAt: '2027-01-01T12:01:00.000Z' });
    expect(kmsMock.commandCalls(RotateKeyOnDemandCommand)[0]?.args[0].input).toEqual({ KeyId: KEY_ARN });
  });

  it('rotates nothing for a plan of its own naming another key: UnscheduledInvocationError before KMS', async () => {
    // Prepare: the execution scheduled the real plan; the invoke names another managed key.
    const other = 'arn:aws:kms:eu-west-1:111122223333:key/0b0b0b0b-12ab-34cd-56ef-1234567890ab';
    const forged = { ...payload, rotation: { ...payload.rotation, keyArn: other, keyId: other } };

    // Act
    const act = handlerWithHistory(payload)(forged);

    // Assess
    await expect(act).rejects.toThrow(UnscheduledInvocationError);
    expect(kmsMock.commandCalls(RotateKeyOnDemandCommand)).toHaveLength(0);
  });
});
