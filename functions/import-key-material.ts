// Lambda for the ImportKeyMaterial state: hands the wrapped blob and token to KMS; see
// src/import/import-key-material.ts.
import type { Context } from 'aws-lambda';
import { ImportKeyMaterialInputSchema, type ImportKeyMaterialOutput } from '../src/import/contracts.ts';
import { importKeyMaterial } from '../src/import/import-key-material.ts';
import { invocationLogger, logFailures, parseStateInput } from './commons/invocation.ts';
import { type KmsFunctionDeps, lambdaKmsDeps } from './commons/lambda-deps.ts';

export function createHandler(deps: KmsFunctionDeps) {
  return async (event: unknown, context?: Context): Promise<ImportKeyMaterialOutput> => {
    const input = parseStateInput(ImportKeyMaterialInputSchema, event);
    const logger = invocationLogger(
      deps.logger,
      { step: 'ImportKeyMaterial', executionId: input.executionId, keyId: input.importParameters.keyId },
      context,
    );
    logger.debug('state input received', { fields: Object.keys(input) });
    return logFailures(logger, () => importKeyMaterial(input, { ...deps, logger }));
  };
}

export const handler = (event: unknown, context: Context) => createHandler(lambdaKmsDeps())(event, context);
