// Lambda for the GetParametersForImport state; the step is src/core/steps/get-parameters-for-import.ts.
import type { Context } from 'aws-lambda';
import { getParametersForImportStep } from '../src/core/steps/get-parameters-for-import.ts';
import { lambdaBindings, lambdaKmsDeps, tokenWrappingAlgorithmsFromEnv } from './commons/lambda-deps.ts';

export const createHandler = getParametersForImportStep.createHandler;

let lambdaHandler: ReturnType<typeof createHandler> | undefined;

export const handler = (event: unknown, context: Context) => {
  lambdaHandler ??= createHandler({
    ...lambdaKmsDeps(),
    bindings: lambdaBindings(),
    tokenWrappingAlgorithms: tokenWrappingAlgorithmsFromEnv(),
  });
  return lambdaHandler(event, context);
};
