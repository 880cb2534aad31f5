// The rotation workflow's ImportNewMaterial step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in. Only a payload the
// rotation's own execution scheduled is imported (src/core/step-kernel/scheduled-invocations.ts).

import { ImportNewMaterialInputSchema } from '../rotation/contracts.ts';
import type { RotationKmsDeps } from '../rotation/deps.ts';
import { importNewMaterial } from '../rotation/import-new-material.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import {
  requireScheduledInvocation,
  type ScheduledInvocationDeps,
} from '../step-kernel/scheduled-invocations.ts';
import { invalidInput, planKeys } from './rotation-common.ts';

export const importNewMaterialStep = defineStep({
  step: 'ImportNewMaterial',
  input: ImportNewMaterialInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: async (input, deps: RotationKmsDeps & ScheduledInvocationDeps, logger) => {
    await requireScheduledInvocation(deps, {
      step: 'ImportNewMaterial',
      executionId: input.executionId,
      input,
      schema: ImportNewMaterialInputSchema,
    });
    return importNewMaterial(input, { ...deps, logger });
  },
});
