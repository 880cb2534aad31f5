// Lambda for the RotateKeyOnDemand: starts the rotation on the primary; the step is src/core/steps/rotate-key-on-demand.ts.
import type { Context } from 'aws-lambda';
import { startKeyRotationStep } from '../src/core/steps/rotate-key-on-demand.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = startKeyRotationStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps())(event, context);
