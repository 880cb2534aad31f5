// Lambda for the RotateKeyOnDemand: starts the rotation on the primary; the step is src/core/steps/rotate-key-on-demand.ts.
import { startKeyRotationStep } from '../src/core/steps/rotate-key-on-demand.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';
import { lambdaScheduledInvocations } from './commons/scheduled-invocations.ts';

export const { handler, createHandler } = toLambda(startKeyRotationStep, () => ({
  ...lambdaRotationDeps(),
  scheduledInvocations: lambdaScheduledInvocations(),
}));
