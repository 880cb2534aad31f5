// Lambda for the RotateKeyOnDemand: starts the rotation on the primary; the step is in src/steps/rotation.ts.
import type { Context } from 'aws-lambda';
import { startKeyRotationStep } from '../src/steps/rotation.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = startKeyRotationStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps())(event, context);
