// Lambda for the ImportReplicaMaterial: EXISTING_KEY_MATERIAL into a replica; the step is src/core/steps/import-replica-material.ts.
import { importReplicaMaterialStep } from '../src/core/steps/import-replica-material.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';
import { lambdaScheduledInvocations } from './commons/scheduled-invocations.ts';

export const { handler, createHandler } = toLambda(importReplicaMaterialStep, () => ({
  ...lambdaRotationDeps(),
  scheduledInvocations: lambdaScheduledInvocations(),
}));
