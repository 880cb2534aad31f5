// Lambda for ConfirmRotationStarted: after a failed RotateKeyOnDemand, did KMS take the rotation
// anyway; the step is src/core/steps/confirm-rotation-started.ts.
import { confirmRotationStartedStep } from '../src/core/steps/confirm-rotation-started.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const { handler, createHandler } = toLambda(confirmRotationStartedStep, lambdaRotationDeps);
