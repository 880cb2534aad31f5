// The ImportKeyMaterial step: hands the wrapped blob and token to KMS; see
// src/core/import/import-key-material.ts.
import { ImportKeyMaterialInputSchema } from '../import/contracts.ts';
import { InvalidImportInputError } from '../import/errors.ts';
import { importKeyMaterial } from '../import/import-key-material.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import type { KmsStepDeps } from './deps.ts';

export const importKeyMaterialStep = defineStep({
  step: 'ImportKeyMaterial',
  // The import workflow's callers (CLI, console, failure events) know bad input by this name.
  invalidInput: (issues) => new InvalidImportInputError(issues),
  input: ImportKeyMaterialInputSchema,
  logKeys: (input) => ({ executionId: input.executionId, keyId: input.importParameters.keyId }),
  run: (input, deps: KmsStepDeps, logger) => importKeyMaterial(input, { ...deps, logger }),
});
