// Lambda for the RetireRotationMaterial: the unused HSM key destroyed (PKCS#11 layer); the step is src/core/steps/retire-rotation-material.ts.
import type { Context } from 'aws-lambda';
import { withHsmAvailability } from '../src/core/import/hsm-availability.ts';
import { retireRotationMaterialStep } from '../src/core/steps/retire-rotation-material.ts';
import { lambdaHsmDeps } from './commons/lambda-deps.ts';

export const createHandler = retireRotationMaterialStep.createHandler;

export const handler = async (event: unknown, context: Context) =>
  createHandler(await withHsmAvailability(lambdaHsmDeps))(event, context);
