// Lambda for the VerifyRotation: old ciphertext with the old material, new with the new; the step is src/core/steps/verify-rotation.ts.
import { verifyRotationStep } from '../src/core/steps/verify-rotation.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const { handler, createHandler } = toLambda(verifyRotationStep, lambdaRotationDeps);
