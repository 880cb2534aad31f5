// Lambda for the ValidateRotation: the recorded request and the key, before anything is made; the step is src/core/steps/validate-rotation.ts.
import { validateRotationStep } from '../src/core/steps/validate-rotation.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { kmsVerify } from './commons/approval-key-verify.ts';
import { sealKeyId } from './commons/approval-keys.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

// Its only use of the approvals keys: verify (the role's one KMS permission on them).
export const { handler, createHandler } = toLambda(validateRotationStep, () =>
  lambdaRotationDeps((kms) => ({ verify: kmsVerify(kms, sealKeyId()) })),
);
