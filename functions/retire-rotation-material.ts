// Lambda for the RetireRotationMaterial: the unused HSM key destroyed (PKCS#11 layer); the step is src/core/steps/retire-rotation-material.ts.
import { withHsmAvailability } from '../src/core/hsm/availability.ts';
import { retireRotationMaterialStep } from '../src/core/steps/retire-rotation-material.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaHsmDeps } from './commons/lambda-deps.ts';

export const { handler, createHandler } = toLambda(retireRotationMaterialStep, () =>
  withHsmAvailability(lambdaHsmDeps),
);
