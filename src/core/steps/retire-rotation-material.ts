// The rotation workflow's RetireRotationMaterial step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in (the HSM, and KMS in every
// Region of the key: the core destroys nothing KMS does not prove unused).
import { withHsmAvailability } from '../hsm/availability.ts';
import { RetireRotationMaterialInputSchema } from '../rotation/contracts.ts';
import { type RetireRotationMaterialDeps, retireRotationMaterial } from '../rotation/retire-material.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { invalidInput } from './rotation-common.ts';

export const retireRotationMaterialStep = defineStep({
  step: 'RetireRotationMaterial',
  input: RetireRotationMaterialInputSchema,
  invalidInput,
  logKeys: (input) => ({ executionId: input.abandoned.requestId ?? undefined }),
  run: (input, deps: RetireRotationMaterialDeps, logger) =>
    withHsmAvailability(() => retireRotationMaterial(input.abandoned, { ...deps, logger })),
});
