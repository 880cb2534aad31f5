// Lambda for the CreateRotationMaterial: the new AES key generated inside the HSM (PKCS#11 layer); the step is src/core/steps/create-rotation-material.ts.
import { withHsmAvailability } from '../src/core/hsm/availability.ts';
import { createRotationMaterialStep } from '../src/core/steps/create-rotation-material.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaHsmDeps } from './commons/lambda-deps.ts';

export const { handler, createHandler } = toLambda(createRotationMaterialStep, () =>
  withHsmAvailability(lambdaHsmDeps),
);
