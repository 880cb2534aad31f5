// Which HSM key type holds the material for a KMS key spec, and so its key family. The families
// differ in what KMS lets us prove: HMAC and asymmetric keys can show identity with the HSM
// directly, symmetric keys only through KMS's own bookkeeping (see verify-import.ts).
import { type HsmKeyType, type KeyFamily, keyFamily } from '../hsm/port.ts';
import { UnsupportedKeySpecError } from './errors.ts';

const HSM_KEY_TYPE_BY_KEY_SPEC = {
  SYMMETRIC_DEFAULT: 'AES_256',
  HMAC_224: 'HMAC_224',
  HMAC_256: 'HMAC_256',
  HMAC_384: 'HMAC_384',
  HMAC_512: 'HMAC_512',
  RSA_2048: 'RSA_2048',
  RSA_3072: 'RSA_3072',
  RSA_4096: 'RSA_4096',
  ECC_NIST_P256: 'ECC_NIST_P256',
  ECC_NIST_P384: 'ECC_NIST_P384',
  ECC_NIST_P521: 'ECC_NIST_P521',
} as const satisfies Record<string, HsmKeyType>;

/** The KMS key specs byok imports into (and `byok key create` makes). */
export type ImportableKeySpec = keyof typeof HSM_KEY_TYPE_BY_KEY_SPEC;
export const IMPORTABLE_KEY_SPECS = Object.keys(HSM_KEY_TYPE_BY_KEY_SPEC) as ImportableKeySpec[];

/** The HSM key type for this KMS key spec and its key family; UnsupportedKeySpecError otherwise. */
export function hsmKeyTypeForKeySpec(keySpec: string): { family: KeyFamily; hsmKeyType: HsmKeyType } {
  const hsmKeyType: HsmKeyType | undefined = (HSM_KEY_TYPE_BY_KEY_SPEC as Record<string, HsmKeyType>)[
    keySpec
  ];
  if (!hsmKeyType) throw new UnsupportedKeySpecError(keySpec);
  return { family: keyFamily(hsmKeyType), hsmKeyType };
}
