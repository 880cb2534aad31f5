// Lambda for the GetReplicaImportParameters: a replica Region's own import token; the step is src/core/steps/get-replica-import-parameters.ts.
import { replicaImportParametersStep } from '../src/core/steps/get-replica-import-parameters.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const { handler, createHandler } = toLambda(replicaImportParametersStep, lambdaRotationDeps);
