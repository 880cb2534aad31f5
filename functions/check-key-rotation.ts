// Lambda for the CheckKeyRotation: is the rotation done; the step is in src/steps/rotation.ts.
import type { Context } from 'aws-lambda';
import { checkKeyRotationStep } from '../src/steps/rotation.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = checkKeyRotationStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps())(event, context);
