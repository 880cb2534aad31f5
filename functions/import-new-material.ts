// Lambda for the ImportNewMaterial: NEW_KEY_MATERIAL into the primary; the step is src/core/steps/import-new-material.ts.
import { importNewMaterialStep } from '../src/core/steps/import-new-material.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';
import { lambdaScheduledInvocations } from './commons/scheduled-invocations.ts';

export const { handler, createHandler } = toLambda(importNewMaterialStep, () => ({
  ...lambdaRotationDeps(),
  scheduledInvocations: lambdaScheduledInvocations(),
}));
