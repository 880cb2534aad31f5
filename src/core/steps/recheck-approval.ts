// The rotation workflow's RecheckApproval step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in.
import { recheckApproval } from '../rotation/approval.ts';
import { RecheckApprovalInputSchema } from '../rotation/contracts.ts';
import type { RotationApprovalsDeps } from '../rotation/deps.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { invalidInput, planKeys } from './rotation-common.ts';

export const recheckApprovalStep = defineStep({
  step: 'RecheckApproval',
  input: RecheckApprovalInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationApprovalsDeps, logger) => recheckApproval(input, { ...deps, logger }),
});
