// Lambda for the AbandonRotation: pending material deleted, the request closed; the step is src/core/steps/abandon-rotation.ts.
import { abandonRotationStep } from '../src/core/steps/abandon-rotation.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { kmsVerify } from './commons/approval-key-verify.ts';
import { sealKeyId } from './commons/approval-keys.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';
import { lambdaScheduledInvocations } from './commons/scheduled-invocations.ts';

// Its only use of the approvals keys: verify (the role's one KMS permission on them).
export const { handler, createHandler } = toLambda(abandonRotationStep, () => ({
  ...lambdaRotationDeps((kms) => ({ verify: kmsVerify(kms, sealKeyId()) })),
  scheduledInvocations: lambdaScheduledInvocations(),
}));
