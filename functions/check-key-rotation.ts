// Lambda for the CheckKeyRotation: is the rotation done; the step is src/core/steps/check-key-rotation.ts.
import type { Context } from 'aws-lambda';
import { checkKeyRotationStep } from '../src/core/steps/check-key-rotation.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = checkKeyRotationStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps())(event, context);
