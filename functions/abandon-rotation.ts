// Lambda for the AbandonRotation: pending material deleted, the request closed; the step is src/core/steps/abandon-rotation.ts.
import { abandonRotationStep } from '../src/core/steps/abandon-rotation.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const { handler, createHandler } = toLambda(abandonRotationStep, lambdaRotationDeps);
