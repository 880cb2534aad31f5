// The rotation's HSM steps as `byok worker` runs them: the same step cores as the Lambdas
// (src/core/steps/create-rotation-material.ts, src/core/steps/retire-rotation-material.ts) behind the
// worker's allowlist. CreateRotationMaterial makes a key only under a label the worker binds (or a
// rotation label derived from one, see KeyBindings) for the rotation's KMS key; RetireRotationMaterial
// destroys only the key that this very rotation request made, for a bound KMS key. A compromised
// AWS side can therefore neither make keys for another KMS key nor destroy a key in use.
import type { z } from 'zod';
import { describeIssues } from '../../core/import/contracts.ts';
import type { StepLogger } from '../../core/import/logger.ts';
import type {
  CreateRotationMaterialInputSchema,
  NewMaterial,
  RetireRotationMaterialInputSchema,
} from '../../core/rotation/contracts.ts';
import type { RotationHsmDeps } from '../../core/rotation/hsm-material.ts';
import { createRotationMaterialStep } from '../../core/steps/create-rotation-material.ts';
import { retireRotationMaterialStep } from '../../core/steps/retire-rotation-material.ts';
import { isRotationLabelOf, type KeyBindings } from './bindings.ts';
import { WorkerRetireRefusedError, WorkerTaskInputError } from './errors.ts';

export type CreateRotationMaterialTask = z.infer<typeof CreateRotationMaterialInputSchema>;
export type RetireRotationMaterialTask = z.infer<typeof RetireRotationMaterialInputSchema>;

export interface RotationTaskDeps {
  hsm: RotationHsmDeps['hsm'];
  bindings: KeyBindings;
  logger: StepLogger;
}

/** The task's input parsed with a step's schema; WorkerTaskInputError when it does not fit. */
export function parseTaskInput<T>(schema: z.ZodType<T>, inputText: string, step: string): T {
  let json: unknown;
  try {
    json = JSON.parse(inputText);
  } catch {
    throw new WorkerTaskInputError(['not JSON'], step);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new WorkerTaskInputError(describeIssues(parsed.error), step);
  return parsed.data;
}

export async function runCreateRotationMaterialTask(
  input: CreateRotationMaterialTask,
  deps: RotationTaskDeps,
): Promise<NewMaterial> {
  deps.bindings.require(input.rotation.newHsmKeyLabel, input.rotation.keyArn);
  return createRotationMaterialStep.createHandler({ hsm: deps.hsm, logger: deps.logger })(input);
}

export async function runRetireRotationMaterialTask(
  input: RetireRotationMaterialTask,
  deps: RotationTaskDeps,
): Promise<{ hsmKeyLabel: string | null; destroyed: number }> {
  const { hsmKeyLabel, keyId, requestId } = input.abandoned;
  if (hsmKeyLabel) {
    if (!requestId || !isRotationLabelOf(hsmKeyLabel, requestId)) {
      throw new WorkerRetireRefusedError(hsmKeyLabel, keyId ?? '(none)', requestId);
    }
    deps.bindings.require(hsmKeyLabel, keyId ?? '(none)');
  }
  return retireRotationMaterialStep.createHandler({ hsm: deps.hsm, logger: deps.logger })(input);
}
