// The rotation workflow's RetireRotationMaterial step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in.
import { withHsmAvailability } from '../import/hsm-availability.ts';
import { RetireRotationMaterialInputSchema } from '../rotation/contracts.ts';
import { type RotationHsmDeps, retireRotationMaterial } from '../rotation/hsm-material.ts';
import { defineStep } from './define-step.ts';
import { invalidInput } from './rotation-common.ts';

export const retireRotationMaterialStep = defineStep({
  step: 'RetireRotationMaterial',
  input: RetireRotationMaterialInputSchema,
  invalidInput,
  logKeys: (input) => ({ executionId: input.abandoned.requestId ?? undefined }),
  run: (input, deps: RotationHsmDeps, logger) =>
    withHsmAvailability(() => retireRotationMaterial(input.abandoned, { ...deps, logger })),
});
