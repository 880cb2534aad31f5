// Lambda for the RetireRotationMaterial: the unused HSM key destroyed (PKCS#11 layer), only once KMS
// (read-only: DescribeKey, ListKeyRotations, in every Region of the key) proves no material came
// from it; the step is src/core/steps/retire-rotation-material.ts.
import { withHsmAvailability } from '../src/core/hsm/availability.ts';
import { retireRotationMaterialStep } from '../src/core/steps/retire-rotation-material.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaHsmDeps, lambdaKmsDeps } from './commons/lambda-deps.ts';

export const { handler, createHandler } = toLambda(retireRotationMaterialStep, async () => {
  const hsmDeps = await withHsmAvailability(lambdaHsmDeps);
  const { kms, kmsForRegion } = lambdaKmsDeps();
  return { ...hsmDeps, kms, kmsForRegion };
});
