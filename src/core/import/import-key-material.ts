// Step 3: hand the wrapped blob and the import token to KMS. KMS's own errors pass through under
// their names (ExpiredImportTokenException sends the workflow back for fresh parameters,
// IncorrectKeyMaterialException means the HSM key is not the material this KMS key holds).
import { ImportKeyMaterialCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Clock } from '../clock.ts';
import type { StepLogger } from '../step-kernel/logger.ts';
import type { ImportKeyMaterialInput, ImportKeyMaterialOutput } from './contracts.ts';
import { describeHsmKey } from './key-material-description.ts';
import { type KmsForRegion, kmsForKey } from './regional-kms.ts';

export interface ImportKeyMaterialDeps {
  kms: KMSClient;
  kmsForRegion?: KmsForRegion | undefined;
  clock: Clock;
  logger: StepLogger;
}

export async function importKeyMaterial(
  input: ImportKeyMaterialInput,
  deps: ImportKeyMaterialDeps,
): Promise<ImportKeyMaterialOutput> {
  const { importParameters: parameters } = input;
  const expires = parameters.expirationModel === 'KEY_MATERIAL_EXPIRES';
  // Where step 1 describes the material (a symmetric primary), the AES check value goes with it.
  const description =
    parameters.keyMaterialDescription && input.hsmEvidence?.kind === 'aes-kcv'
      ? describeHsmKey(parameters.hsmKeyLabel, input.hsmEvidence.kcv)
      : parameters.keyMaterialDescription;
  const response = await kmsForKey(deps, parameters.keyId).send(
    new ImportKeyMaterialCommand({
      KeyId: parameters.keyId,
      ImportToken: Buffer.from(input.importToken ?? parameters.importToken, 'base64'),
      EncryptedKeyMaterial: Buffer.from(input.wrappedKeyMaterial, 'base64'),
      ExpirationModel: parameters.expirationModel,
      ...(expires && parameters.validTo ? { ValidTo: new Date(parameters.validTo) } : {}),
      // Symmetric keys name the material (a rotated key holds several); asymmetric and HMAC keys
      // reject these parameters altogether, and step 1 leaves them out for those.
      ...(parameters.importType ? { ImportType: parameters.importType } : {}),
      ...(parameters.keyMaterialId ? { KeyMaterialId: parameters.keyMaterialId } : {}),
      ...(description ? { KeyMaterialDescription: description } : {}),
    }),
  );
  const importedAt = deps.clock.now().toISOString();
  deps.logger.info('key material imported', {
    keyId: parameters.keyId,
    keyMaterialId: response.KeyMaterialId,
    importType: parameters.importType,
    expirationModel: parameters.expirationModel,
    validTo: parameters.validTo,
    importTokenAttempt: parameters.importTokenAttempt,
  });
  return { ...(response.KeyMaterialId ? { keyMaterialId: response.KeyMaterialId } : {}), importedAt };
}
