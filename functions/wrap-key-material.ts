// Lambda for the WrapKeyMaterial state: the only function that talks to the HSM. The HSM wraps its
// key under KMS's wrapping public key in-token; see src/import/wrap-key-material.ts.
import type { Context } from 'aws-lambda';
import { WrapKeyMaterialInputSchema, type WrapKeyMaterialOutput } from '../src/import/contracts.ts';
import { withHsmAvailability } from '../src/import/hsm-availability.ts';
import { wrapKeyMaterial } from '../src/import/wrap-key-material.ts';
import { invocationLogger, logFailures, parseStateInput } from './commons/invocation.ts';
import { type HsmFunctionDeps, lambdaHsmDeps } from './commons/lambda-deps.ts';

export function createHandler(deps: HsmFunctionDeps) {
  return async (event: unknown, context?: Context): Promise<WrapKeyMaterialOutput> => {
    const input = parseStateInput(WrapKeyMaterialInputSchema, event);
    const logger = invocationLogger(
      deps.logger,
      { step: 'WrapKeyMaterial', executionId: input.executionId, keyId: input.importParameters.keyId },
      context,
    );
    logger.debug('state input received', { fields: Object.keys(input) });
    return logFailures(logger, () =>
      withHsmAvailability(() => wrapKeyMaterial(input, { hsm: deps.hsm, logger })),
    );
  };
}

// Opening the session is where an unreachable HSM shows first: classify that failure too.
export const handler = async (event: unknown, context: Context) =>
  createHandler(await withHsmAvailability(lambdaHsmDeps))(event, context);
