// Lambda for the GetParametersForImport state; the step is src/core/steps/get-parameters-for-import.ts.
import { getParametersForImportStep } from '../src/core/steps/get-parameters-for-import.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaBindings, lambdaKmsDeps, tokenWrappingAlgorithmsFromEnv } from './commons/lambda-deps.ts';

export const { handler, createHandler } = toLambda(getParametersForImportStep, () => ({
  ...lambdaKmsDeps(),
  bindings: lambdaBindings(),
  tokenWrappingAlgorithms: tokenWrappingAlgorithmsFromEnv(),
}));
