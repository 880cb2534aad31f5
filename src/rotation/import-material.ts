// Putting the new material into KMS after the approval. The primary's import token and the wrap
// come from the import workflow's own steps (GetParametersForImport, WrapKeyMaterial in
// src/import/); here: ImportKeyMaterial as NEW_KEY_MATERIAL with a KeyMaterialDescription naming
// the HSM key that holds it, and for each replica Region its own GetParametersForImport (same
// wrapping choice as the primary) and the same material as EXISTING_KEY_MATERIAL with its id.
import { GetParametersForImportCommand, ImportKeyMaterialCommand } from '@aws-sdk/client-kms';
import type { ImportParameters } from '../import/contracts.ts';
import { describeHsmKey } from '../import/key-material-description.ts';
import type { RotationPlan } from './contracts.ts';
import { kmsFor, type RotationKmsDeps } from './deps.ts';
import { RotationError } from './errors.ts';

/**
 * KMS's KeyMaterialDescription naming the HSM key: the one format the sweep reads back
 * (`byok:hsm-key:<label>`, src/import/key-material-description.ts).
 */
export function keyMaterialDescription(hsmKeyLabel: string): string {
  return describeHsmKey(hsmKeyLabel);
}

function expiry(parameters: ImportParameters) {
  const expires = parameters.expirationModel === 'KEY_MATERIAL_EXPIRES';
  return {
    ExpirationModel: parameters.expirationModel,
    ...(expires && parameters.validTo ? { ValidTo: new Date(parameters.validTo) } : {}),
  };
}

export async function importNewMaterial(
  input: { rotation: RotationPlan; importParameters: ImportParameters; wrappedKeyMaterial: string },
  deps: RotationKmsDeps,
): Promise<{ keyMaterialId: string; importedAt: string }> {
  const { importParameters: parameters } = input;
  const response = await deps.kms.send(
    new ImportKeyMaterialCommand({
      KeyId: input.rotation.keyArn,
      ImportToken: Buffer.from(parameters.importToken, 'base64'),
      EncryptedKeyMaterial: Buffer.from(input.wrappedKeyMaterial, 'base64'),
      ImportType: 'NEW_KEY_MATERIAL',
      KeyMaterialDescription: keyMaterialDescription(parameters.hsmKeyLabel),
      ...expiry(parameters),
    }),
  );
  if (!response.KeyMaterialId) throw new RotationError('ImportKeyMaterial returned no KeyMaterialId');
  deps.logger?.info('new key material imported, pending rotation', {
    requestId: input.rotation.requestId,
    keyArn: input.rotation.keyArn,
    keyMaterialId: response.KeyMaterialId,
    hsmKeyLabel: parameters.hsmKeyLabel,
  });
  return { keyMaterialId: response.KeyMaterialId, importedAt: deps.clock.now().toISOString() };
}

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

export async function importReplicaMaterial(
  input: { importParameters: ImportParameters; wrappedKeyMaterial: string; keyMaterialId: string },
  deps: RotationKmsDeps,
): Promise<{ replicaArn: string; keyMaterialId: string }> {
  const { importParameters: parameters } = input;
  const response = await kmsFor(deps, parameters.keyId).send(
    new ImportKeyMaterialCommand({
      KeyId: parameters.keyId,
      ImportToken: Buffer.from(parameters.importToken, 'base64'),
      EncryptedKeyMaterial: Buffer.from(input.wrappedKeyMaterial, 'base64'),
      ImportType: 'EXISTING_KEY_MATERIAL',
      KeyMaterialId: input.keyMaterialId,
      KeyMaterialDescription: keyMaterialDescription(parameters.hsmKeyLabel),
      ...expiry(parameters),
    }),
  );
  deps.logger?.info('new key material imported into a replica', {
    replicaArn: parameters.keyId,
    keyMaterialId: response.KeyMaterialId ?? input.keyMaterialId,
  });
  return { replicaArn: parameters.keyId, keyMaterialId: response.KeyMaterialId ?? input.keyMaterialId };
}
