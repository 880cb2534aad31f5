// Lambda for the ImportReplicaMaterial: EXISTING_KEY_MATERIAL into a replica; the step is src/core/steps/import-replica-material.ts.
import type { Context } from 'aws-lambda';
import { importReplicaMaterialStep } from '../src/core/steps/import-replica-material.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = importReplicaMaterialStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps())(event, context);
