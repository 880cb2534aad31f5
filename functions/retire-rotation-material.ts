// Lambda for the RetireRotationMaterial: the unused HSM key destroyed (PKCS#11 layer), only once KMS
// (read-only: DescribeKey, ListKeyRotations, in every Region of the key) proves no material came
// from it; the step is src/core/steps/retire-rotation-material.ts.
import type { Context } from 'aws-lambda';
import { withHsmAvailability } from '../src/core/import/hsm-availability.ts';
import { retireRotationMaterialStep } from '../src/core/steps/retire-rotation-material.ts';
import { lambdaHsmDeps, lambdaKmsDeps } from './commons/lambda-deps.ts';

export const createHandler = retireRotationMaterialStep.createHandler;

export const handler = async (event: unknown, context: Context) => {
  const hsmDeps = await withHsmAvailability(lambdaHsmDeps);
  const { kms, kmsForRegion } = lambdaKmsDeps();
  return createHandler({ ...hsmDeps, kms, kmsForRegion })(event, context);
};
