// The rotation workflow's step functions (statemachines/rotate-key-material.asl.json), each a thin
// defineStep over its core in src/rotation/ with the ports passed in. The primary's import token
// and the wrap reuse the import workflow's steps (get-parameters-for-import, wrap-key-material).
import { withHsmAvailability } from '../import/hsm-availability.ts';
import { abandonRotation } from '../rotation/abandon.ts';
import { openApproval, recheckApproval } from '../rotation/approval.ts';
import {
  AbandonRotationInputSchema,
  CheckKeyRotationInputSchema,
  CreateRotationMaterialInputSchema,
  ImportNewMaterialInputSchema,
  ImportReplicaMaterialInputSchema,
  OpenApprovalInputSchema,
  RecheckApprovalInputSchema,
  ReplicaImportParametersInputSchema,
  RetireRotationMaterialInputSchema,
  StartKeyRotationInputSchema,
  ValidateRotationInputSchema,
  VerifyRotationInputSchema,
} from '../rotation/contracts.ts';
import type { EventBridgeClient, RotationApprovalsDeps, RotationKmsDeps } from '../rotation/deps.ts';
import { InvalidRotationInputError } from '../rotation/errors.ts';
import {
  importNewMaterial,
  importReplicaMaterial,
  replicaImportParameters,
} from '../rotation/import-material.ts';
import {
  createRotationMaterial,
  type RotationHsmDeps,
  retireRotationMaterial,
} from '../rotation/material.ts';
import { checkKeyRotation, startKeyRotation, verifyRotation } from '../rotation/rotate.ts';
import { validateRotation } from '../rotation/validate-rotation.ts';
import { defineStep } from './define-step.ts';

const invalidInput = (issues: string[]) => new InvalidRotationInputError(issues);
const planKeys = (input: { rotation: { requestId: string; keyArn: string } | null }) => ({
  executionId: input.rotation?.requestId,
  keyId: input.rotation?.keyArn,
});

export const validateRotationStep = defineStep({
  step: 'ValidateRotation',
  input: ValidateRotationInputSchema,
  invalidInput,
  logKeys: (input) => ({ executionId: input.executionId }),
  run: (input, deps: RotationKmsDeps & RotationApprovalsDeps, logger) =>
    validateRotation(input.request, { ...deps, logger }),
});

export const createRotationMaterialStep = defineStep({
  step: 'CreateRotationMaterial',
  input: CreateRotationMaterialInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationHsmDeps, logger) =>
    withHsmAvailability(() => createRotationMaterial(input.rotation, { ...deps, logger })),
});

export const openApprovalStep = defineStep({
  step: 'AwaitApproval',
  input: OpenApprovalInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationApprovalsDeps & { events?: EventBridgeClient | undefined }, logger) =>
    openApproval(input, { ...deps, logger }),
});

export const recheckApprovalStep = defineStep({
  step: 'RecheckApproval',
  input: RecheckApprovalInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationApprovalsDeps, logger) => recheckApproval(input, { ...deps, logger }),
});

export const importNewMaterialStep = defineStep({
  step: 'ImportNewMaterial',
  input: ImportNewMaterialInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationKmsDeps, logger) => importNewMaterial(input, { ...deps, logger }),
});

export const replicaImportParametersStep = defineStep({
  step: 'GetReplicaImportParameters',
  input: ReplicaImportParametersInputSchema,
  invalidInput,
  logKeys: (input) => ({ keyId: input.replicaArn }),
  run: (input, deps: RotationKmsDeps, logger) => replicaImportParameters(input, { ...deps, logger }),
});

export const importReplicaMaterialStep = defineStep({
  step: 'ImportReplicaMaterial',
  input: ImportReplicaMaterialInputSchema,
  invalidInput,
  logKeys: (input) => ({ keyId: input.importParameters.keyId }),
  run: (input, deps: RotationKmsDeps, logger) => importReplicaMaterial(input, { ...deps, logger }),
});

export const startKeyRotationStep = defineStep({
  step: 'RotateKeyOnDemand',
  input: StartKeyRotationInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationKmsDeps, logger) => startKeyRotation(input, { ...deps, logger }),
});

export const checkKeyRotationStep = defineStep({
  step: 'CheckKeyRotation',
  input: CheckKeyRotationInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationKmsDeps, logger) => checkKeyRotation(input, { ...deps, logger }),
});

export const verifyRotationStep = defineStep({
  step: 'VerifyRotation',
  input: VerifyRotationInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationKmsDeps, logger) => verifyRotation(input, { ...deps, logger }),
});

export const abandonRotationStep = defineStep({
  step: 'AbandonRotation',
  input: AbandonRotationInputSchema,
  invalidInput,
  logKeys: planKeys,
  run: (input, deps: RotationKmsDeps & RotationApprovalsDeps, logger) =>
    abandonRotation(input, { ...deps, logger }),
});

export const retireRotationMaterialStep = defineStep({
  step: 'RetireRotationMaterial',
  input: RetireRotationMaterialInputSchema,
  invalidInput,
  logKeys: (input) => ({ executionId: input.abandoned.requestId ?? undefined }),
  run: (input, deps: RotationHsmDeps, logger) =>
    withHsmAvailability(() => retireRotationMaterial(input.abandoned, { ...deps, logger })),
});
