// Lambda for the ValidateRotation: the recorded request and the key, before anything is made; the step is src/core/steps/validate-rotation.ts.
import { validateRotationStep } from '../src/core/steps/validate-rotation.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const { handler, createHandler } = toLambda(validateRotationStep, lambdaRotationDeps);
