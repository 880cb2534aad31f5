// Lambda for the ImportKeyMaterial state; the step is src/core/steps/import-key-material.ts.
import { importKeyMaterialStep } from '../src/core/steps/import-key-material.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaKmsDeps } from './commons/lambda-deps.ts';
import { lambdaScheduledInvocations } from './commons/scheduled-invocations.ts';

export const { handler, createHandler } = toLambda(importKeyMaterialStep, () => ({
  ...lambdaKmsDeps(),
  scheduledInvocations: lambdaScheduledInvocations(),
}));
