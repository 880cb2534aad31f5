// How the rotation describes imported material to KMS: KeyMaterialDescription names the HSM key that
// holds it, and the expiry follows the import parameters the import workflow's step decided.
import type { ImportParameters } from '../import/contracts.ts';

/** KMS's KeyMaterialDescription: at most 256 characters of `[a-zA-Z0-9:/_\s.-]`. */
export function keyMaterialDescription(hsmKeyLabel: string): string {
  return `byok hsm-key:${hsmKeyLabel.replace(/[^a-zA-Z0-9:/_\s.-]/g, '_')}`.slice(0, 256);
}

export function expiry(parameters: ImportParameters) {
  const expires = parameters.expirationModel === 'KEY_MATERIAL_EXPIRES';
  return {
    ExpirationModel: parameters.expirationModel,
    ...(expires && parameters.validTo ? { ValidTo: new Date(parameters.validTo) } : {}),
  };
}
