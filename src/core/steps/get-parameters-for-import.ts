// The GetParametersForImport step: validates the request against the KMS key and gets the import
// token and wrapping public key. The work is in src/core/import/get-parameters-for-import.ts.
import type { BindingsReader } from '../bindings/port.ts';

import { withHsmAvailability } from '../hsm/availability.ts';
import type { Hsm, WrappingAlgorithm } from '../hsm/port.ts';
import { GetParametersForImportInputSchema } from '../import/contracts.ts';
import { InvalidImportInputError } from '../import/errors.ts';
import { getParametersForImport } from '../import/get-parameters-for-import.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import type { KmsStepDeps } from './deps.ts';

export interface GetParametersForImportStepDeps extends KmsStepDeps {
  /** The administrators' bindings (deployed: the bindings table; locally: the stack's bindings.json). */
  bindings: BindingsReader;
  /** Present where the HSM is reachable (local runs): checks the HSM key before KMS is asked. */
  hsm?: Pick<Hsm, 'describeKey' | 'wrappingAlgorithms'> | undefined;
  tokenWrappingAlgorithms?: readonly WrappingAlgorithm[] | undefined;
}

export const getParametersForImportStep = defineStep({
  step: 'GetParametersForImport',
  // The import workflow's callers (CLI, console, failure events) know bad input by this name.
  invalidInput: (issues) => new InvalidImportInputError(issues),
  input: GetParametersForImportInputSchema,
  logKeys: (input) => {
    const request = input.request as { keyId?: unknown } | null;
    return {
      executionId: input.executionId,
      keyId: typeof request?.keyId === 'string' ? request.keyId : undefined,
    };
  },
  run: (input, deps: GetParametersForImportStepDeps, logger) =>
    withHsmAvailability(() => getParametersForImport(input, { ...deps, logger })),
});
