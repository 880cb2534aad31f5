// After the approval: the new material into the primary as NEW_KEY_MATERIAL, wrapped by the import
// workflow's own WrapKeyMaterial step under the primary's import parameters (GetParametersForImport,
// also the import workflow's step). KeyMaterialDescription names the HSM key that holds it.
import { ImportKeyMaterialCommand } from '@aws-sdk/client-kms';
import type { HsmEvidence, ImportParameters } from '../import/contracts.ts';
import type { RotationPlan } from './contracts.ts';
import type { RotationKmsDeps } from './deps.ts';
import { RotationError } from './errors.ts';
import { expiry, keyMaterialDescription } from './material-description.ts';

export async function importNewMaterial(
  input: {
    rotation: RotationPlan;
    importParameters: ImportParameters;
    wrappedKeyMaterial: string;
    /** The token the blob was wrapped for (WrapKeyMaterial's); default: step 1's. */
    importToken?: string | undefined;
    /** WrapKeyMaterial's public evidence: the new material's check value is recorded with it. */
    hsmEvidence?: HsmEvidence | undefined;
  },
  deps: RotationKmsDeps,
): Promise<{ keyMaterialId: string; importedAt: string }> {
  const { importParameters: parameters } = input;
  const response = await deps.kms.send(
    new ImportKeyMaterialCommand({
      KeyId: input.rotation.keyArn,
      ImportToken: Buffer.from(input.importToken ?? parameters.importToken, 'base64'),
      EncryptedKeyMaterial: Buffer.from(input.wrappedKeyMaterial, 'base64'),
      ImportType: 'NEW_KEY_MATERIAL',
      KeyMaterialDescription: keyMaterialDescription(
        parameters.hsmKeyLabel,
        input.hsmEvidence?.kind === 'aes-kcv' ? input.hsmEvidence.kcv : undefined,
      ),
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
