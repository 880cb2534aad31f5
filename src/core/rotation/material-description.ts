// How the rotation describes imported material to KMS: KeyMaterialDescription names the HSM key that
// holds it, and the expiry follows the import parameters the import workflow's step decided.
import type { ImportParameters } from '../import/contracts.ts';
import { describeHsmKey } from '../import/key-material-description.ts';

/**
 * KMS's KeyMaterialDescription naming the HSM key and its check value: the one format the sweep
 * reads back (`byok:kcv:<kcv>:hsm-key:<label>`, src/core/import/key-material-description.ts).
 */
export function keyMaterialDescription(hsmKeyLabel: string, checkValue?: string): string {
  return describeHsmKey(hsmKeyLabel, checkValue);
}

export function expiry(parameters: ImportParameters) {
  const expires = parameters.expirationModel === 'KEY_MATERIAL_EXPIRES';
  return {
    ExpirationModel: parameters.expirationModel,
    ...(expires && parameters.validTo ? { ValidTo: new Date(parameters.validTo) } : {}),
  };
}
