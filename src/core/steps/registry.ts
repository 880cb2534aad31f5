// The step functions the workflows call, by the name their ASL placeholder gives
// (`${WrapKeyMaterialFunctionArn}` -> `wrap-key-material`). The runner runs them from this table,
// and the deps it must supply are the intersection of theirs (StepFunctionDeps): a step whose deps
// the runner cannot supply fails to compile in src/onprem/runner/local-deps.ts.

import type { StepFunction } from '../step-kernel/define-step.ts';
import { abandonRotationStep } from './abandon-rotation.ts';
import { checkKeyRotationStep } from './check-key-rotation.ts';
import { confirmRotationStartedStep } from './confirm-rotation-started.ts';
import { createRotationMaterialStep } from './create-rotation-material.ts';
import { discoverFleetTargetsStep } from './discover-fleet-targets.ts';
import { findExpiringKeysStep } from './find-expiring-keys.ts';
import { getParametersForImportStep } from './get-parameters-for-import.ts';
import { replicaImportParametersStep } from './get-replica-import-parameters.ts';
import { importKeyMaterialStep } from './import-key-material.ts';
import { importNewMaterialStep } from './import-new-material.ts';
import { importReplicaMaterialStep } from './import-replica-material.ts';
import { openApprovalStep } from './open-approval.ts';
import { recheckApprovalStep } from './recheck-approval.ts';
import { retireRotationMaterialStep } from './retire-rotation-material.ts';
import { startKeyRotationStep } from './rotate-key-on-demand.ts';
import { summarizeFleetStep } from './summarize-fleet.ts';
import { summarizeSweepStep } from './summarize-sweep.ts';
import { validateRotationStep } from './validate-rotation.ts';
import { verifyImportStep } from './verify-import.ts';
import { verifyRotationStep } from './verify-rotation.ts';
import { wrapKeyMaterialStep } from './wrap-key-material.ts';

export const STEP_FUNCTIONS = {
  'get-parameters-for-import': getParametersForImportStep,
  'wrap-key-material': wrapKeyMaterialStep,
  'import-key-material': importKeyMaterialStep,
  'verify-import': verifyImportStep,
  'find-expiring-keys': findExpiringKeysStep,
  'summarize-sweep': summarizeSweepStep,
  'validate-rotation': validateRotationStep,
  'create-rotation-material': createRotationMaterialStep,
  'open-approval': openApprovalStep,
  'recheck-approval': recheckApprovalStep,
  'import-new-material': importNewMaterialStep,
  'get-replica-import-parameters': replicaImportParametersStep,
  'import-replica-material': importReplicaMaterialStep,
  'rotate-key-on-demand': startKeyRotationStep,
  'confirm-rotation-started': confirmRotationStartedStep,
  'check-key-rotation': checkKeyRotationStep,
  'verify-rotation': verifyRotationStep,
  'abandon-rotation': abandonRotationStep,
  'retire-rotation-material': retireRotationMaterialStep,
  'discover-fleet-targets': discoverFleetTargetsStep,
  'summarize-fleet': summarizeFleetStep,
} as const;

export type StepFunctionName = keyof typeof STEP_FUNCTIONS;

type DepsOf<F> = F extends StepFunction<infer Deps, unknown> ? Deps : never;
type Intersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void
  ? I
  : never;

/** Everything some registered step needs: what the runner must supply. */
export type StepFunctionDeps = Intersection<DepsOf<(typeof STEP_FUNCTIONS)[StepFunctionName]>>;

export function isStepFunctionName(name: string): name is StepFunctionName {
  return Object.hasOwn(STEP_FUNCTIONS, name);
}
