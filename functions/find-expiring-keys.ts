// Lambda for the sweep's FindExpiringKeys state; the step is src/core/steps/find-expiring-keys.ts.
import { findExpiringKeysStep } from '../src/core/steps/find-expiring-keys.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaBindings, lambdaKmsDeps } from './commons/lambda-deps.ts';

export const { handler, createHandler } = toLambda(findExpiringKeysStep, () => ({
  ...lambdaKmsDeps(),
  bindings: lambdaBindings(),
}));
