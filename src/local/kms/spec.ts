// This endpoint's own reading of AWS KMS's key-spec rules (API reference and developer guide, and
// the AWS answers recorded in test/integration/local-kms/operations.test.ts). Deliberately not shared with src/core/import: two
// independent readings catch a misreading that one shared table would hide on both sides.

export const KEY_SPECS = [
  'RSA_2048',
  'ECC_NIST_P384',
  'ECC_NIST_P256',
  'ECC_NIST_P521',
  'HMAC_384',
  'RSA_3072',
  'ECC_SECG_P256K1',
  'RSA_4096',
  'SYMMETRIC_DEFAULT',
  'HMAC_256',
  'HMAC_224',
  'HMAC_512',
] as const;
export type KeySpec = (typeof KEY_SPECS)[number];

export const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC'] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

export const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;
export type Origin = 'AWS_KMS' | 'EXTERNAL';

export const WRAPPING_ALGORITHMS = [
  'RSAES_PKCS1_V1_5',
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'RSA_AES_KEY_WRAP_SHA_1',
  'RSA_AES_KEY_WRAP_SHA_256',
  'SM2PKE',
] as const;
export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];

export const WRAPPING_KEY_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'] as const;
export type WrappingKeySpec = (typeof WRAPPING_KEY_SPECS)[number];
export type RsaWrappingKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096';

const RSA_SIGNING_ALGORITHMS = [
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
] as const;
export const ALL_SIGNING_ALGORITHMS = [
  ...RSA_SIGNING_ALGORITHMS,
  'ECDSA_SHA_256',
  'ECDSA_SHA_384',
  'ECDSA_SHA_512',
] as const;
export type SigningAlgorithm = (typeof ALL_SIGNING_ALGORITHMS)[number];

export const MAC_ALGORITHMS = ['HMAC_SHA_384', 'HMAC_SHA_256', 'HMAC_SHA_224', 'HMAC_SHA_512'] as const;
export type MacAlgorithm = (typeof MAC_ALGORITHMS)[number];

export const ENCRYPTION_ALGORITHMS = [
  'SYMMETRIC_DEFAULT',
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'SM2PKE',
] as const;

export type KeyFamily = 'SYMMETRIC' | 'HMAC' | 'RSA' | 'ECC';

export function keyFamily(spec: KeySpec): KeyFamily {
  if (spec === 'SYMMETRIC_DEFAULT') return 'SYMMETRIC';
  if (spec.startsWith('HMAC_')) return 'HMAC';
  if (spec.startsWith('RSA_')) return 'RSA';
  return 'ECC';
}

export function rsaBits(spec: KeySpec | RsaWrappingKeySpec): number {
  return Number(spec.slice('RSA_'.length));
}

/** HMAC: digest name and the allowed imported key length (at least the digest, at most the block size). */
export const HMAC_RULES: Record<
  string,
  { digest: string; minBytes: number; maxBytes: number; mac: MacAlgorithm }
> = {
  HMAC_224: { digest: 'sha224', minBytes: 28, maxBytes: 64, mac: 'HMAC_SHA_224' },
  HMAC_256: { digest: 'sha256', minBytes: 32, maxBytes: 64, mac: 'HMAC_SHA_256' },
  HMAC_384: { digest: 'sha384', minBytes: 48, maxBytes: 128, mac: 'HMAC_SHA_384' },
  HMAC_512: { digest: 'sha512', minBytes: 64, maxBytes: 128, mac: 'HMAC_SHA_512' },
};

/** Node's (OpenSSL's) curve names and the one ECDSA algorithm AWS offers per curve. */
export const ECC_RULES: Record<string, { curve: string; signing: SigningAlgorithm }> = {
  ECC_NIST_P256: { curve: 'prime256v1', signing: 'ECDSA_SHA_256' },
  ECC_NIST_P384: { curve: 'secp384r1', signing: 'ECDSA_SHA_384' },
  ECC_NIST_P521: { curve: 'secp521r1', signing: 'ECDSA_SHA_512' },
  ECC_SECG_P256K1: { curve: 'secp256k1', signing: 'ECDSA_SHA_256' },
};

export function allowedUsages(spec: KeySpec): KeyUsage[] {
  switch (keyFamily(spec)) {
    case 'SYMMETRIC':
      return ['ENCRYPT_DECRYPT'];
    case 'HMAC':
      return ['GENERATE_VERIFY_MAC'];
    case 'RSA':
      return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
    case 'ECC':
      return ['SIGN_VERIFY'];
  }
}

export interface KeyAlgorithms {
  EncryptionAlgorithms?: string[];
  SigningAlgorithms?: string[];
  MacAlgorithms?: string[];
}

export function keyAlgorithmsFor(spec: KeySpec, usage: KeyUsage): KeyAlgorithms {
  const family = keyFamily(spec);
  if (family === 'SYMMETRIC') return { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] };
  if (family === 'HMAC') return { MacAlgorithms: [HMAC_RULES[spec]?.mac ?? ''] };
  if (family === 'RSA') {
    return usage === 'ENCRYPT_DECRYPT'
      ? { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }
      : { SigningAlgorithms: [...RSA_SIGNING_ALGORITHMS] };
  }
  return { SigningAlgorithms: [ECC_RULES[spec]?.signing ?? ''] };
}

/**
 * Which (wrapping algorithm, wrapping key spec) may import material of `spec`: RSA_AES_* only for
 * asymmetric (RSA and ECC) material, RSAES_OAEP_* for everything but RSA private keys, and not for
 * P-521 with a 2048-bit wrapping key (too long). PKCS#1 v1.5 is deprecated and SM2 is China-only.
 */
export function wrappingAllowed(
  algorithm: WrappingAlgorithm,
  wrappingKeySpec: WrappingKeySpec,
  spec: KeySpec,
): boolean {
  if (algorithm === 'RSAES_PKCS1_V1_5' || algorithm === 'SM2PKE' || wrappingKeySpec === 'SM2') return false;
  const family = keyFamily(spec);
  const hybrid = algorithm === 'RSA_AES_KEY_WRAP_SHA_1' || algorithm === 'RSA_AES_KEY_WRAP_SHA_256';
  if (hybrid) return family === 'RSA' || family === 'ECC';
  if (family === 'RSA') return false;
  if (spec === 'ECC_NIST_P521' && wrappingKeySpec === 'RSA_2048') return false;
  return true;
}

export function oaepHashOf(algorithm: WrappingAlgorithm): 'sha1' | 'sha256' {
  return algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256';
}

export function isHybridWrapping(algorithm: WrappingAlgorithm): boolean {
  return algorithm.startsWith('RSA_AES_KEY_WRAP_');
}
