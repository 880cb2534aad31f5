// Lambda for the VerifyRotation: old ciphertext with the old material, new with the new; the step is src/core/steps/verify-rotation.ts.
import type { Context } from 'aws-lambda';
import { verifyRotationStep } from '../src/core/steps/verify-rotation.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = verifyRotationStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps())(event, context);
