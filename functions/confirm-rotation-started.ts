// Lambda for ConfirmRotationStarted: after a failed RotateKeyOnDemand, did KMS take the rotation
// anyway; the step is src/steps/confirm-rotation-started.ts.
import type { Context } from 'aws-lambda';
import { confirmRotationStartedStep } from '../src/core/steps/confirm-rotation-started.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = confirmRotationStartedStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps())(event, context);
