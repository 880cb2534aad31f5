// The rotation workflow's VerifyRotation step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in.

import { VerifyRotationInputSchema } from '../rotation/contracts.ts';
import type { RotationKmsDeps } from '../rotation/deps.ts';
import { verifyRotation } from '../rotation/verify-rotation.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { invalidInput, planKeys } from './rotation-common.ts';

export const verifyRotationStep = defineStep({
  step: 'VerifyRotation',
  input: VerifyRotationInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationKmsDeps, logger) => verifyRotation(input, { ...deps, logger }),
});
