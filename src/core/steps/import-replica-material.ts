// The rotation workflow's ImportReplicaMaterial step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in.

import { ImportReplicaMaterialInputSchema } from '../rotation/contracts.ts';
import type { RotationKmsDeps } from '../rotation/deps.ts';
import { importReplicaMaterial } from '../rotation/import-replica-material.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { invalidInput } from './rotation-common.ts';

export const importReplicaMaterialStep = defineStep({
  step: 'ImportReplicaMaterial',
  input: ImportReplicaMaterialInputSchema,
  invalidInput,
  logKeys: (input) => ({ keyId: input.importParameters.keyId }),
  run: (input, deps: RotationKmsDeps, logger) => importReplicaMaterial(input, { ...deps, logger }),
});
