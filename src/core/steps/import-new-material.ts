// The rotation workflow's ImportNewMaterial step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in.

import { ImportNewMaterialInputSchema } from '../rotation/contracts.ts';
import type { RotationKmsDeps } from '../rotation/deps.ts';
import { importNewMaterial } from '../rotation/import-new-material.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { invalidInput, planKeys } from './rotation-common.ts';

export const importNewMaterialStep = defineStep({
  step: 'ImportNewMaterial',
  input: ImportNewMaterialInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationKmsDeps, logger) => importNewMaterial(input, { ...deps, logger }),
});
