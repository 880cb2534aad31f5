// The ImportKeyMaterial step: hands the wrapped blob and token to KMS; see
// src/core/import/import-key-material.ts. Only a payload byok's own execution scheduled is imported
// (src/core/step-kernel/scheduled-invocations.ts): the function's role may import into every
// managed key, so a direct invoke with a blob of someone's own bytes would plant them.
import { ImportKeyMaterialInputSchema } from '../import/contracts.ts';
import { InvalidImportInputError } from '../import/errors.ts';
import { importKeyMaterial } from '../import/import-key-material.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import {
  requireScheduledInvocation,
  type ScheduledInvocationDeps,
} from '../step-kernel/scheduled-invocations.ts';
import type { KmsStepDeps } from './deps.ts';

export const importKeyMaterialStep = defineStep({
  step: 'ImportKeyMaterial',
  // The import workflow's callers (CLI, console, failure events) know bad input by this name.
  invalidInput: (issues) => new InvalidImportInputError(issues),
  input: ImportKeyMaterialInputSchema,
  logKeys: (input) => ({ executionId: input.executionId, keyId: input.importParameters.keyId }),
  run: async (input, deps: KmsStepDeps & ScheduledInvocationDeps, logger) => {
    await requireScheduledInvocation(deps, {
      step: 'ImportKeyMaterial',
      executionId: input.executionId,
      input,
      schema: ImportKeyMaterialInputSchema,
    });
    return importKeyMaterial(input, { ...deps, logger });
  },
});
