// Lambda for the GetParametersForImport state: validates the request against the KMS key and gets
// the import token and wrapping public key. The work is in src/import/get-parameters-for-import.ts.
import type { Context } from 'aws-lambda';
import type { Hsm, WrappingAlgorithm } from '../src/hsm/port.ts';
import { GetParametersForImportInputSchema, type ImportParameters } from '../src/import/contracts.ts';
import { getParametersForImport } from '../src/import/get-parameters-for-import.ts';
import { withHsmAvailability } from '../src/import/hsm-availability.ts';
import { invocationLogger, logFailures, parseStateInput } from './commons/invocation.ts';
import {
  type KmsFunctionDeps,
  lambdaKmsDeps,
  tokenWrappingAlgorithmsFromEnv,
} from './commons/lambda-deps.ts';

export interface GetParametersForImportFunctionDeps extends KmsFunctionDeps {
  /** Present where the HSM is reachable (local runs): checks the HSM key before KMS is asked. */
  hsm?: Pick<Hsm, 'describeKey' | 'wrappingAlgorithms'> | undefined;
  tokenWrappingAlgorithms?: readonly WrappingAlgorithm[] | undefined;
}

export function createHandler(deps: GetParametersForImportFunctionDeps) {
  return async (event: unknown, context?: Context): Promise<ImportParameters> => {
    const input = parseStateInput(GetParametersForImportInputSchema, event);
    const request = input.request as { keyId?: unknown } | null;
    const logger = invocationLogger(
      deps.logger,
      {
        step: 'GetParametersForImport',
        executionId: input.executionId,
        keyId: typeof request?.keyId === 'string' ? request.keyId : undefined,
      },
      context,
    );
    logger.debug('state input received', { fields: Object.keys(input) });
    return logFailures(logger, () =>
      withHsmAvailability(() => getParametersForImport(input, { ...deps, logger })),
    );
  };
}

let lambdaHandler: ReturnType<typeof createHandler> | undefined;

export const handler = (event: unknown, context: Context) => {
  lambdaHandler ??= createHandler({
    ...lambdaKmsDeps(),
    tokenWrappingAlgorithms: tokenWrappingAlgorithmsFromEnv(),
  });
  return lambdaHandler(event, context);
};
