// Lambda for the AbandonRotation: pending material deleted, the request closed; the step is src/core/steps/abandon-rotation.ts.
import type { Context } from 'aws-lambda';
import { abandonRotationStep } from '../src/core/steps/abandon-rotation.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = abandonRotationStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps())(event, context);
