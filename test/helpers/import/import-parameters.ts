// The first step's output (ImportParameters) for an HMAC_256 key whose material does not expire,
// as the later steps' unit tests receive it; `overrides` on top.
import type { ImportParameters } from '../../../src/core/import/contracts.ts';

export function hmacImportParameters(overrides: Partial<ImportParameters> = {}): ImportParameters {
  return {
    keyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    keySpec: 'HMAC_256',
    keyUsage: 'GENERATE_VERIFY_MAC',
    family: 'HMAC',
    hsmKeyLabel: 'mac',
    hsmKeyType: 'HMAC_256',
    wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
    wrappingKeySpec: 'RSA_4096',
    expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    importToken: 'AQID',
    wrappingPublicKey: 'BAUG',
    parametersValidTo: '2027-01-11T12:00:00.000Z',
    importTokenAttempt: 1,
    ...overrides,
  };
}
