// Lambda for the GetReplicaImportParameters: a replica Region's own import token; the step is src/core/steps/get-replica-import-parameters.ts.
import type { Context } from 'aws-lambda';
import { replicaImportParametersStep } from '../src/core/steps/get-replica-import-parameters.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = replicaImportParametersStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps())(event, context);
