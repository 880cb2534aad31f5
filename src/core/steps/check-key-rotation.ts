// The rotation workflow's CheckKeyRotation step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in.

import { checkKeyRotation } from '../rotation/check-key-rotation.ts';
import { CheckKeyRotationInputSchema } from '../rotation/contracts.ts';
import type { RotationKmsDeps } from '../rotation/deps.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { invalidInput, planKeys } from './rotation-common.ts';

export const checkKeyRotationStep = defineStep({
  step: 'CheckKeyRotation',
  input: CheckKeyRotationInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationKmsDeps, logger) => checkKeyRotation(input, { ...deps, logger }),
});
