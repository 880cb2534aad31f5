// The rotation workflow's CreateRotationMaterial step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in.
import { withHsmAvailability } from '../hsm/availability.ts';
import { CreateRotationMaterialInputSchema } from '../rotation/contracts.ts';
import { createRotationMaterial, type RotationHsmDeps } from '../rotation/hsm-material.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { invalidInput, planKeys } from './rotation-common.ts';

export const createRotationMaterialStep = defineStep({
  step: 'CreateRotationMaterial',
  input: CreateRotationMaterialInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationHsmDeps, logger) =>
    withHsmAvailability(() => createRotationMaterial(input.rotation, { ...deps, logger })),
});
