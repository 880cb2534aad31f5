// Lambda for the ImportNewMaterial: NEW_KEY_MATERIAL into the primary; the step is src/core/steps/import-new-material.ts.
import type { Context } from 'aws-lambda';
import { importNewMaterialStep } from '../src/core/steps/import-new-material.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = importNewMaterialStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps())(event, context);
