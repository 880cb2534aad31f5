// The rotation workflow's ImportReplicaMaterial step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in. Only a payload the
// rotation's own execution scheduled is imported (src/core/step-kernel/scheduled-invocations.ts).

import { ImportReplicaMaterialInputSchema } from '../rotation/contracts.ts';
import type { RotationKmsDeps } from '../rotation/deps.ts';
import { importReplicaMaterial } from '../rotation/import-replica-material.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import {
  requireScheduledInvocation,
  type ScheduledInvocationDeps,
} from '../step-kernel/scheduled-invocations.ts';
import { invalidInput } from './rotation-common.ts';

export const importReplicaMaterialStep = defineStep({
  step: 'ImportReplicaMaterial',
  input: ImportReplicaMaterialInputSchema,
  invalidInput,
  logKeys: (input) => ({ executionId: input.executionId, keyId: input.importParameters.keyId }),
  run: async (input, deps: RotationKmsDeps & ScheduledInvocationDeps, logger) => {
    await requireScheduledInvocation(deps, {
      step: 'ImportReplicaMaterial',
      executionId: input.executionId,
      input,
      schema: ImportReplicaMaterialInputSchema,
    });
    return importReplicaMaterial(input, { ...deps, logger });
  },
});
