// The VerifyImport step: proves with KMS that it holds the HSM's key, from the evidence the HSM
// gave when wrapping; see src/core/import/verify-import.ts.
import { VerifyImportInputSchema } from '../import/contracts.ts';
import { verifyImport } from '../import/verify-import.ts';
import { defineStep } from './define-step.ts';
import type { KmsStepDeps } from './deps.ts';

export const verifyImportStep = defineStep({
  step: 'VerifyImport',
  input: VerifyImportInputSchema,
  logKeys: (input) => ({ executionId: input.executionId, keyId: input.importParameters.keyId }),
  run: (input, deps: KmsStepDeps, logger) =>
    verifyImport(input, { kms: deps.kms, kmsForRegion: deps.kmsForRegion, logger }),
});
