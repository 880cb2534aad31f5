// The rotation workflow's AwaitApproval step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in. Only a payload the
// rotation's own execution scheduled opens a request for votes
// (src/core/step-kernel/scheduled-invocations.ts): a direct invoke could open a request still
// waiting for its material with a task token and a check value of its own.
import { openApproval } from '../rotation/approval.ts';
import { OpenApprovalInputSchema } from '../rotation/contracts.ts';
import type { EventBridgeClient, RotationApprovalsDeps } from '../rotation/deps.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import {
  requireScheduledInvocation,
  type ScheduledInvocationDeps,
} from '../step-kernel/scheduled-invocations.ts';
import { invalidInput, planKeys } from './rotation-common.ts';

export const openApprovalStep = defineStep({
  step: 'AwaitApproval',
  input: OpenApprovalInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: async (
    input,
    deps: RotationApprovalsDeps & ScheduledInvocationDeps & { events?: EventBridgeClient | undefined },
    logger,
  ) => {
    await requireScheduledInvocation(deps, {
      step: 'AwaitApproval',
      executionId: input.executionId,
      input,
      schema: OpenApprovalInputSchema,
    });
    return openApproval(input, { ...deps, logger });
  },
});
