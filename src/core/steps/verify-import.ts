// The VerifyImport step: proves with KMS that it holds the HSM's key, from the evidence the HSM
// gave when wrapping; see src/core/import/verify-import.ts.
import { VerifyImportInputSchema } from '../import/contracts.ts';
import { InvalidImportInputError } from '../import/errors.ts';
import { verifyImport } from '../import/verify-import.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import type { KmsStepDeps } from './deps.ts';

export const verifyImportStep = defineStep({
  step: 'VerifyImport',
  // The import workflow's callers (CLI, console, failure events) know bad input by this name.
  invalidInput: (issues) => new InvalidImportInputError(issues),
  input: VerifyImportInputSchema,
  logKeys: (input) => ({ executionId: input.executionId, keyId: input.importParameters.keyId }),
  run: (input, deps: KmsStepDeps, logger) =>
    verifyImport(input, {
      kms: deps.kms,
      kmsForRegion: deps.kmsForRegion,
      kmsForAccount: deps.kmsForAccount,
      logger,
    }),
});
