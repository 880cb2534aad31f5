// Lambda for the ValidateRotation: the recorded request and the key, before anything is made; the step is src/core/steps/validate-rotation.ts.
import type { Context } from 'aws-lambda';
import { validateRotationStep } from '../src/core/steps/validate-rotation.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = validateRotationStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps())(event, context);
