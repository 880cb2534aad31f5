// Lambda for the RecheckApproval: the stored votes recounted before anything is imported; the step is src/core/steps/recheck-approval.ts.
import { recheckApprovalStep } from '../src/core/steps/recheck-approval.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { kmsVerify } from './commons/approval-key-verify.ts';
import { sealKeyId } from './commons/approval-keys.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

// Its only use of the approvals keys: verify (the role's one KMS permission on them).
export const { handler, createHandler } = toLambda(recheckApprovalStep, () =>
  lambdaRotationDeps((kms) => ({ verify: kmsVerify(kms, sealKeyId()) })),
);
