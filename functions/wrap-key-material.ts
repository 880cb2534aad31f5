// Lambda for the WrapKeyMaterial state, the only function that talks to the HSM; the step is
// src/core/steps/wrap-key-material.ts. Opening the session is where an unreachable HSM shows first:
// that failure is classified too (HsmUnavailableError, which the state machine retries).
import { withHsmAvailability } from '../src/core/hsm/availability.ts';
import { wrapKeyMaterialStep } from '../src/core/steps/wrap-key-material.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaHsmDeps } from './commons/lambda-deps.ts';

export const { handler, createHandler } = toLambda(wrapKeyMaterialStep, () =>
  withHsmAvailability(lambdaHsmDeps),
);
