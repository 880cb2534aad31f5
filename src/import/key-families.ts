// Which HSM key type holds the material for a KMS key spec, and how the import is verified. The
// families differ in what KMS lets us prove: HMAC and asymmetric keys can show identity with the
// HSM directly, symmetric keys only through KMS's own bookkeeping (see verify-import.ts).
import type { HsmKeyType } from '../hsm/port.ts';
import type { KeyFamily } from './contracts.ts';
import { UnsupportedKeySpecError } from './errors.ts';

const HSM_KEY_TYPE_BY_KEY_SPEC: Record<string, { family: KeyFamily; hsmKeyType: HsmKeyType }> = {
  SYMMETRIC_DEFAULT: { family: 'SYMMETRIC', hsmKeyType: 'AES_256' },
  HMAC_224: { family: 'HMAC', hsmKeyType: 'HMAC_224' },
  HMAC_256: { family: 'HMAC', hsmKeyType: 'HMAC_256' },
  HMAC_384: { family: 'HMAC', hsmKeyType: 'HMAC_384' },
  HMAC_512: { family: 'HMAC', hsmKeyType: 'HMAC_512' },
  RSA_2048: { family: 'RSA', hsmKeyType: 'RSA_2048' },
  RSA_3072: { family: 'RSA', hsmKeyType: 'RSA_3072' },
  RSA_4096: { family: 'RSA', hsmKeyType: 'RSA_4096' },
  ECC_NIST_P256: { family: 'ECC', hsmKeyType: 'ECC_NIST_P256' },
  ECC_NIST_P384: { family: 'ECC', hsmKeyType: 'ECC_NIST_P384' },
  ECC_NIST_P521: { family: 'ECC', hsmKeyType: 'ECC_NIST_P521' },
};

export function keyFamilyOf(keySpec: string): { family: KeyFamily; hsmKeyType: HsmKeyType } {
  const found = HSM_KEY_TYPE_BY_KEY_SPEC[keySpec];
  if (!found) throw new UnsupportedKeySpecError(keySpec);
  return found;
}

export const SUPPORTED_KEY_SPECS = Object.keys(HSM_KEY_TYPE_BY_KEY_SPEC);
