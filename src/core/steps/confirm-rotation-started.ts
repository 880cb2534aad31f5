// The rotation workflow's ConfirmRotationStarted step (statemachines/rotate-key-material.asl.json),
// reached only when RotateKeyOnDemand failed: asks KMS whether the rotation went ahead anyway. A
// thin defineStep over its core in src/rotation/confirm-rotation.ts.
import { confirmRotationStarted } from '../rotation/confirm-rotation.ts';
import { ConfirmRotationStartedInputSchema } from '../rotation/contracts.ts';
import type { RotationKmsDeps } from '../rotation/deps.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { invalidInput, planKeys } from './rotation-common.ts';

export const confirmRotationStartedStep = defineStep({
  step: 'ConfirmRotationStarted',
  input: ConfirmRotationStartedInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationKmsDeps, logger) => confirmRotationStarted(input, { ...deps, logger }),
});
