// The rotation workflow's RotateKeyOnDemand step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in.

import { StartKeyRotationInputSchema } from '../rotation/contracts.ts';
import type { RotationKmsDeps } from '../rotation/deps.ts';
import { startKeyRotation } from '../rotation/rotate-key-on-demand.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { invalidInput, planKeys } from './rotation-common.ts';

export const startKeyRotationStep = defineStep({
  step: 'RotateKeyOnDemand',
  input: StartKeyRotationInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationKmsDeps, logger) => startKeyRotation(input, { ...deps, logger }),
});
