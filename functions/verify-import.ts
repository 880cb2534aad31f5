// Lambda for the VerifyImport state; the step is src/core/steps/verify-import.ts.
import type { Context } from 'aws-lambda';
import { verifyImportStep } from '../src/core/steps/verify-import.ts';
import { lambdaKmsDeps } from './commons/lambda-deps.ts';

export const createHandler = verifyImportStep.createHandler;

export const handler = (event: unknown, context: Context) => createHandler(lambdaKmsDeps())(event, context);
