// The rotation workflow's RotateKeyOnDemand step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in. Only a payload the
// rotation's own execution scheduled rotates a key (src/core/step-kernel/scheduled-invocations.ts):
// its role is the only one that may rotate, so a direct invoke must not borrow it.

import { StartKeyRotationInputSchema } from '../rotation/contracts.ts';
import type { RotationKmsDeps } from '../rotation/deps.ts';
import { startKeyRotation } from '../rotation/rotate-key-on-demand.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import {
  requireScheduledInvocation,
  type ScheduledInvocationDeps,
} from '../step-kernel/scheduled-invocations.ts';
import { invalidInput, planKeys } from './rotation-common.ts';

export const startKeyRotationStep = defineStep({
  step: 'RotateKeyOnDemand',
  input: StartKeyRotationInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: async (input, deps: RotationKmsDeps & ScheduledInvocationDeps, logger) => {
    await requireScheduledInvocation(deps, {
      step: 'RotateKeyOnDemand',
      executionId: input.executionId,
      input,
      schema: StartKeyRotationInputSchema,
    });
    return startKeyRotation(input, { ...deps, logger });
  },
});
