// Lambda for the WrapKeyMaterial state, the only function that talks to the HSM; the step is
// src/core/steps/wrap-key-material.ts.
import type { Context } from 'aws-lambda';
import { withHsmAvailability } from '../src/core/import/hsm-availability.ts';
import { wrapKeyMaterialStep } from '../src/core/steps/wrap-key-material.ts';
import { lambdaHsmDeps } from './commons/lambda-deps.ts';

export const createHandler = wrapKeyMaterialStep.createHandler;

// Opening the session is where an unreachable HSM shows first: classify that failure too.
export const handler = async (event: unknown, context: Context) =>
  createHandler(await withHsmAvailability(lambdaHsmDeps))(event, context);
