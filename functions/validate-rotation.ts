// Lambda for the ValidateRotation: the recorded request, the key and its binding, before anything is made; the step is src/core/steps/validate-rotation.ts.
import { validateRotationStep } from '../src/core/steps/validate-rotation.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { kmsVerify } from './commons/approval-key-verify.ts';
import { sealKeyId } from './commons/approval-keys.ts';
import { lambdaBindingReader } from './commons/binding-reader.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

// Its only use of the approvals keys: verify (the role's one KMS permission on them).
export const { handler, createHandler } = toLambda(validateRotationStep, () => ({
  ...lambdaRotationDeps((kms) => ({ verify: kmsVerify(kms, sealKeyId()) })),
  bindings: lambdaBindingReader(),
}));
