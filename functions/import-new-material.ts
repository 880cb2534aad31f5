// Lambda for the ImportNewMaterial: NEW_KEY_MATERIAL into the primary; the step is in src/steps/rotation.ts.
import type { Context } from 'aws-lambda';
import { importNewMaterialStep } from '../src/steps/rotation.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = importNewMaterialStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps())(event, context);
