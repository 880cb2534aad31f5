// The rotation workflow's ValidateRotation step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in.

import type { BindingsReader } from '../bindings/port.ts';
import { ValidateRotationInputSchema } from '../rotation/contracts.ts';
import type { RotationApprovalsDeps, RotationKmsDeps } from '../rotation/deps.ts';
import { validateRotation } from '../rotation/validate-rotation.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { invalidInput } from './rotation-common.ts';

export const validateRotationStep = defineStep({
  step: 'ValidateRotation',
  input: ValidateRotationInputSchema,
  invalidInput,
  logKeys: (input) => ({ executionId: input.executionId }),
  // bindings: deployed, the bindings table (GetItem only); locally, the stack's (as for GetParametersForImport).
  run: (
    input,
    deps: RotationKmsDeps & RotationApprovalsDeps & { bindings: Pick<BindingsReader, 'get'> },
    logger,
  ) => validateRotation(input.request, { ...deps, logger }, input.executionId),
});
