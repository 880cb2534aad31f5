// Lambda for the CheckKeyRotation: is the rotation done; the step is src/core/steps/check-key-rotation.ts.
import { checkKeyRotationStep } from '../src/core/steps/check-key-rotation.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const { handler, createHandler } = toLambda(checkKeyRotationStep, lambdaRotationDeps);
