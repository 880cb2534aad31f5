// Lambda for the AwaitApproval (lambda:invoke.waitForTaskToken): the task token into the approvals table, the notification out; the step is src/core/steps/open-approval.ts.
import { openApprovalStep } from '../src/core/steps/open-approval.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { kmsLock } from './commons/approval-key-lock.ts';
import { tokenKeyId } from './commons/approval-keys.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';
import { lambdaScheduledInvocations } from './commons/scheduled-invocations.ts';

// Its only use of the approvals keys: lock (the role's one KMS permission on them).
export const { handler, createHandler } = toLambda(openApprovalStep, () => ({
  ...lambdaRotationDeps((kms) => ({ lock: kmsLock(kms, tokenKeyId()) })),
  scheduledInvocations: lambdaScheduledInvocations(),
}));
