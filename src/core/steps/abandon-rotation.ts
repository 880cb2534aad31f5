// The rotation workflow's AbandonRotation step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in.
import { abandonRotation } from '../rotation/abandon.ts';
import { AbandonRotationInputSchema } from '../rotation/contracts.ts';
import type { RotationApprovalsDeps, RotationKmsDeps } from '../rotation/deps.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { invalidInput, planKeys } from './rotation-common.ts';

export const abandonRotationStep = defineStep({
  step: 'AbandonRotation',
  input: AbandonRotationInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationKmsDeps & RotationApprovalsDeps, logger) =>
    abandonRotation(input, { ...deps, logger }),
});
