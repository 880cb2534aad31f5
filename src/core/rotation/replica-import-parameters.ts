// A replica Region's own import parameters (each replica needs its own token and wrapping key), with
// the primary's wrapping choice, so the import workflow's WrapKeyMaterial step can wrap for it.
import { GetParametersForImportCommand } from '@aws-sdk/client-kms';
import type { ImportParameters } from '../import/contracts.ts';
import { kmsFor, type RotationKmsDeps } from './deps.ts';
import { RotationError } from './errors.ts';

/** The import parameters of one replica: its own token and wrapping key, the primary's choices. */
export async function replicaImportParameters(
  input: { replicaArn: string; importParameters: ImportParameters },
  deps: RotationKmsDeps,
): Promise<ImportParameters> {
  const primary = input.importParameters;
  const response = await kmsFor(deps, input.replicaArn).send(
    new GetParametersForImportCommand({
      KeyId: input.replicaArn,
      WrappingAlgorithm: primary.wrappingAlgorithm,
      WrappingKeySpec: primary.wrappingKeySpec,
    }),
  );
  if (!response.ImportToken || !response.PublicKey || !response.ParametersValidTo) {
    throw new RotationError(`GetParametersForImport for ${input.replicaArn} returned no token`);
  }
  return {
    ...primary,
    keyId: input.replicaArn,
    importToken: Buffer.from(response.ImportToken).toString('base64'),
    wrappingPublicKey: Buffer.from(response.PublicKey).toString('base64'),
    parametersValidTo: response.ParametersValidTo.toISOString(),
  };
}
