// Lambda for the sweep's FindExpiringKeys state; the step is src/core/steps/find-expiring-keys.ts.
import type { Context } from 'aws-lambda';
import { findExpiringKeysStep } from '../src/core/steps/find-expiring-keys.ts';
import { lambdaBindings, lambdaKmsDeps } from './commons/lambda-deps.ts';

export const createHandler = findExpiringKeysStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler({ ...lambdaKmsDeps(), bindings: lambdaBindings() })(event, context);
