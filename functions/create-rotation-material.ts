// Lambda for the CreateRotationMaterial: the new AES key generated inside the HSM (PKCS#11 layer); the step is src/core/steps/create-rotation-material.ts.
import type { Context } from 'aws-lambda';
import { withHsmAvailability } from '../src/core/import/hsm-availability.ts';
import { createRotationMaterialStep } from '../src/core/steps/create-rotation-material.ts';
import { lambdaHsmDeps } from './commons/lambda-deps.ts';

export const createHandler = createRotationMaterialStep.createHandler;

export const handler = async (event: unknown, context: Context) =>
  createHandler(await withHsmAvailability(lambdaHsmDeps))(event, context);
