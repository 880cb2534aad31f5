// The WrapKeyMaterial step: the only one that talks to the HSM. The HSM wraps its key under KMS's
// wrapping public key in-token; see src/core/import/wrap-key-material.ts.

import { withHsmAvailability } from '../hsm/availability.ts';
import { WrapKeyMaterialInputSchema } from '../import/contracts.ts';
import { InvalidImportInputError } from '../import/errors.ts';
import { wrapKeyMaterial } from '../import/wrap-key-material.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import type { HsmStepDeps } from './deps.ts';

export const wrapKeyMaterialStep = defineStep({
  step: 'WrapKeyMaterial',
  // The import workflow's callers (CLI, console, failure events) know bad input by this name.
  invalidInput: (issues) => new InvalidImportInputError(issues),
  input: WrapKeyMaterialInputSchema,
  logKeys: (input) => ({ executionId: input.executionId, keyId: input.importParameters.keyId }),
  run: (input, deps: HsmStepDeps, logger) =>
    withHsmAvailability(() => wrapKeyMaterial(input, { hsm: deps.hsm, logger })),
});
