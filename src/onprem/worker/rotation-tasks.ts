// The rotation's HSM steps as `byok worker` runs them: the same step cores as the Lambdas
// (src/core/steps/create-rotation-material.ts, src/core/steps/retire-rotation-material.ts) behind what the
// worker can check itself. A task is untrusted (any state machine in the account can send one):
//  - CreateRotationMaterial makes a key only under the label a rotation of a bound KMS key derives
//    for that very request (`<bound label>-r<n>-<request8>`), never reuses a key its journal does
//    not show it made (a planted look-alike), and journals the key it made, per request;
//  - RetireRotationMaterial destroys only a key its journal shows it made for that request and
//    that KMS key, and only once KMS proves (in every Region of the key) that no material came from
//    it: the step core's proveHsmKeyNeverImported. Otherwise it refuses and destroys nothing.
import type { z } from 'zod';
import type { Clock } from '../../core/clock.ts';
import { HsmKeyNotFoundError } from '../../core/hsm/errors.ts';
import {
  CreateRotationMaterialInputSchema,
  type NewMaterial,
  RetireRotationMaterialInputSchema,
} from '../../core/rotation/contracts.ts';
import type { RotationHsmDeps } from '../../core/rotation/hsm-material.ts';
import type { RetireRotationMaterialDeps } from '../../core/rotation/retire-material.ts';
import type { StepLogger } from '../../core/step-kernel/logger.ts';
import { createRotationMaterialStep } from '../../core/steps/create-rotation-material.ts';
import { retireRotationMaterialStep } from '../../core/steps/retire-rotation-material.ts';
import { isRotationLabelOf, type KeyBindings } from './bindings.ts';
import { WorkerKeyNotBoundError, WorkerRetireRefusedError, WorkerRotationKeyUnknownError } from './errors.ts';
import type { WorkerJournal } from './journal.ts';
import { parseBoundedTaskInput } from './task-inputs.ts';

export type CreateRotationMaterialTask = z.infer<typeof CreateRotationMaterialInputSchema>;
export type RetireRotationMaterialTask = z.infer<typeof RetireRotationMaterialInputSchema>;

export interface RotationTaskDeps {
  hsm: RotationHsmDeps['hsm'];
  kms: RetireRotationMaterialDeps['kms'];
  kmsForRegion?: RetireRotationMaterialDeps['kmsForRegion'];
  bindings: KeyBindings;
  journal: Pick<WorkerJournal, 'madeFor' | 'ever' | 'recordCreated' | 'recordDestroyed'>;
  clock: Clock;
  logger: StepLogger;
}

export function parseCreateRotationMaterialTask(inputText: string): CreateRotationMaterialTask {
  return parseBoundedTaskInput('CreateRotationMaterial', CreateRotationMaterialInputSchema, inputText);
}

export function parseRetireRotationMaterialTask(inputText: string): RetireRotationMaterialTask {
  return parseBoundedTaskInput('RetireRotationMaterial', RetireRotationMaterialInputSchema, inputText);
}

async function hsmHasKey(hsm: RotationTaskDeps['hsm'], label: string): Promise<boolean> {
  try {
    await hsm.describeKey(label);
    return true;
  } catch (error) {
    if (error instanceof HsmKeyNotFoundError) return false;
    throw error;
  }
}

export async function runCreateRotationMaterialTask(
  input: CreateRotationMaterialTask,
  deps: RotationTaskDeps,
): Promise<NewMaterial> {
  const { newHsmKeyLabel: label, keyArn, requestId } = input.rotation;
  const grant = deps.bindings.resolve(label, keyArn);
  if (grant.via === 'exact' || !isRotationLabelOf(label, requestId)) {
    throw new WorkerKeyNotBoundError(label, keyArn, grant.via === 'exact' ? grant.boundArn : undefined);
  }
  const made = await deps.journal.madeFor(label, grant.boundArn);
  if (made && made.requestId !== requestId) {
    throw new WorkerRotationKeyUnknownError(
      label,
      keyArn,
      `this worker made it for request ${made.requestId}`,
    );
  }
  if (!made && ((await deps.journal.ever(label)) || (await hsmHasKey(deps.hsm, label)))) {
    throw new WorkerRotationKeyUnknownError(
      label,
      keyArn,
      'a key with this label is (or was) in the HSM and this worker did not make it for this request',
    );
  }
  const material = await createRotationMaterialStep.createHandler({ hsm: deps.hsm, logger: deps.logger })(
    input,
  );
  if (!made) {
    await deps.journal.recordCreated({
      requestId,
      hsmKeyLabel: label,
      kmsKeyArn: grant.boundArn,
      createdAt: deps.clock.now().toISOString(),
    });
  }
  return material;
}

export async function runRetireRotationMaterialTask(
  input: RetireRotationMaterialTask,
  deps: RotationTaskDeps,
): Promise<{ hsmKeyLabel: string | null; destroyed: number }> {
  const { hsmKeyLabel, keyId, requestId } = input.abandoned;
  if (hsmKeyLabel) {
    if (!requestId || !keyId) throw new WorkerRetireRefusedError(hsmKeyLabel, keyId ?? '(none)', requestId);
    const grant = deps.bindings.resolve(hsmKeyLabel, keyId);
    const made = await deps.journal.madeFor(hsmKeyLabel, grant.boundArn);
    if (!made || made.requestId !== requestId) {
      throw new WorkerRotationKeyUnknownError(
        hsmKeyLabel,
        keyId,
        `this worker's journal shows no key it made under this label for request ${requestId}`,
      );
    }
  }
  const retired = await retireRotationMaterialStep.createHandler({
    hsm: deps.hsm,
    kms: deps.kms,
    kmsForRegion: deps.kmsForRegion,
    logger: deps.logger,
  })(input);
  if (hsmKeyLabel && requestId) {
    await deps.journal.recordDestroyed(hsmKeyLabel, requestId, deps.clock.now());
  }
  return retired;
}
