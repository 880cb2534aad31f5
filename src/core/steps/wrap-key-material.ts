// The WrapKeyMaterial step: the only one that talks to the HSM. The HSM wraps its key under KMS's
// wrapping public key in-token; see src/core/import/wrap-key-material.ts.
import { WrapKeyMaterialInputSchema } from '../import/contracts.ts';
import { withHsmAvailability } from '../import/hsm-availability.ts';
import { wrapKeyMaterial } from '../import/wrap-key-material.ts';
import { defineStep } from './define-step.ts';
import type { HsmStepDeps } from './deps.ts';

export const wrapKeyMaterialStep = defineStep({
  step: 'WrapKeyMaterial',
  input: WrapKeyMaterialInputSchema,
  logKeys: (input) => ({ executionId: input.executionId, keyId: input.importParameters.keyId }),
  run: (input, deps: HsmStepDeps, logger) =>
    withHsmAvailability(() => wrapKeyMaterial(input, { hsm: deps.hsm, logger })),
});
