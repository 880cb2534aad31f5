// The same material into a replica as EXISTING_KEY_MATERIAL with the primary's KeyMaterialId (new
// material cannot be imported into a replica directly). No KeyMaterialDescription: KMS takes it on
// primaries only, and the replica's material is the primary's.
import { ImportKeyMaterialCommand } from '@aws-sdk/client-kms';
import type { ImportParameters } from '../import/contracts.ts';
import { kmsFor, type RotationKmsDeps } from './deps.ts';
import { expiry } from './material-description.ts';

export async function importReplicaMaterial(
  input: {
    importParameters: ImportParameters;
    wrappedKeyMaterial: string;
    /** The token the blob was wrapped for (WrapForReplica's); default: the replica's parameters'. */
    importToken?: string | undefined;
    keyMaterialId: string;
  },
  deps: RotationKmsDeps,
): Promise<{ replicaArn: string; keyMaterialId: string }> {
  const { importParameters: parameters } = input;
  const response = await kmsFor(deps, parameters.keyId).send(
    new ImportKeyMaterialCommand({
      KeyId: parameters.keyId,
      ImportToken: Buffer.from(input.importToken ?? parameters.importToken, 'base64'),
      EncryptedKeyMaterial: Buffer.from(input.wrappedKeyMaterial, 'base64'),
      ImportType: 'EXISTING_KEY_MATERIAL',
      KeyMaterialId: input.keyMaterialId,
      ...expiry(parameters),
    }),
  );
  deps.logger?.info('new key material imported into a replica', {
    replicaArn: parameters.keyId,
    keyMaterialId: response.KeyMaterialId ?? input.keyMaterialId,
  });
  return { replicaArn: parameters.keyId, keyMaterialId: response.KeyMaterialId ?? input.keyMaterialId };
}
