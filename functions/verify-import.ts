// Lambda for the VerifyImport state; the step is src/core/steps/verify-import.ts.
import { verifyImportStep } from '../src/core/steps/verify-import.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaKmsDeps } from './commons/lambda-deps.ts';

export const { handler, createHandler } = toLambda(verifyImportStep, lambdaKmsDeps);
