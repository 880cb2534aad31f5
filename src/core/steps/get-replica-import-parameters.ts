// The rotation workflow's GetReplicaImportParameters step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in.

import { ReplicaImportParametersInputSchema } from '../rotation/contracts.ts';
import type { RotationKmsDeps } from '../rotation/deps.ts';
import { replicaImportParameters } from '../rotation/replica-import-parameters.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { invalidInput } from './rotation-common.ts';

export const replicaImportParametersStep = defineStep({
  step: 'GetReplicaImportParameters',
  input: ReplicaImportParametersInputSchema,
  invalidInput,
  logKeys: (input) => ({ keyId: input.replicaArn }),
  run: (input, deps: RotationKmsDeps, logger) => replicaImportParameters(input, { ...deps, logger }),
});
