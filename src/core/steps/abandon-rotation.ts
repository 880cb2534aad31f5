// The rotation workflow's AbandonRotation step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in. Only a payload the
// rotation's own execution scheduled is acted on (src/core/step-kernel/scheduled-invocations.ts):
// a direct invoke with a made-up plan closed the request it named and deleted pending material.
import { abandonRotation } from '../rotation/abandon.ts';
import { AbandonRotationInputSchema } from '../rotation/contracts.ts';
import type { RotationApprovalsDeps, RotationKmsDeps } from '../rotation/deps.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import {
  requireScheduledInvocation,
  type ScheduledInvocationDeps,
} from '../step-kernel/scheduled-invocations.ts';
import { invalidInput, planKeys } from './rotation-common.ts';

export const abandonRotationStep = defineStep({
  step: 'AbandonRotation',
  input: AbandonRotationInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: async (input, deps: RotationKmsDeps & RotationApprovalsDeps & ScheduledInvocationDeps, logger) => {
    await requireScheduledInvocation(deps, {
      step: 'AbandonRotation',
      executionId: input.executionId,
      input,
      schema: AbandonRotationInputSchema,
    });
    return abandonRotation(input, { ...deps, logger });
  },
});
