// The rotation workflow's AwaitApproval step (statemachines/rotate-key-material.asl.json): a thin
// defineStep over its core in src/core/rotation/, with the ports passed in.
import { openApproval } from '../rotation/approval.ts';
import { OpenApprovalInputSchema } from '../rotation/contracts.ts';
import type { EventBridgeClient, RotationApprovalsDeps } from '../rotation/deps.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { invalidInput, planKeys } from './rotation-common.ts';

export const openApprovalStep = defineStep({
  step: 'AwaitApproval',
  input: OpenApprovalInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationApprovalsDeps & { events?: EventBridgeClient | undefined }, logger) =>
    openApproval(input, { ...deps, logger }),
});
