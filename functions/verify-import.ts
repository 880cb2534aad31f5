// Lambda for the VerifyImport state: proves with KMS that it holds the HSM's key, from the evidence
// the HSM gave when wrapping; see src/import/verify-import.ts.
import type { Context } from 'aws-lambda';
import { type ImportResult, VerifyImportInputSchema } from '../src/import/contracts.ts';
import { verifyImport } from '../src/import/verify-import.ts';
import { invocationLogger, logFailures, parseStateInput } from './commons/invocation.ts';
import { type KmsFunctionDeps, lambdaKmsDeps } from './commons/lambda-deps.ts';

export function createHandler(deps: KmsFunctionDeps) {
  return async (event: unknown, context?: Context): Promise<ImportResult> => {
    const input = parseStateInput(VerifyImportInputSchema, event);
    const logger = invocationLogger(
      deps.logger,
      { step: 'VerifyImport', executionId: input.executionId, keyId: input.importParameters.keyId },
      context,
    );
    logger.debug('state input received', { fields: Object.keys(input) });
    return logFailures(logger, () => verifyImport(input, { kms: deps.kms, logger }));
  };
}

export const handler = (event: unknown, context: Context) => createHandler(lambdaKmsDeps())(event, context);
