// Lambda for the ImportKeyMaterial state; the step is src/core/steps/import-key-material.ts.
import type { Context } from 'aws-lambda';
import { importKeyMaterialStep } from '../src/core/steps/import-key-material.ts';
import { lambdaKmsDeps } from './commons/lambda-deps.ts';

export const createHandler = importKeyMaterialStep.createHandler;

export const handler = (event: unknown, context: Context) => createHandler(lambdaKmsDeps())(event, context);
