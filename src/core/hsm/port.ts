// The HSM port: what the import workflow needs from a token holding the master copy of key
// material. The PKCS#11 adapter implements it; the workflow never sees a PKCS#11 handle.

export const HSM_KEY_TYPES = [
  'AES_256',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
] as const;
export type HsmKeyType = (typeof HSM_KEY_TYPES)[number];

export const WRAPPING_ALGORITHMS = [
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'RSA_AES_KEY_WRAP_SHA_1',
  'RSA_AES_KEY_WRAP_SHA_256',
] as const;
export type WrappingAlgorithm = (typeof WRAPPING_ALGORITHMS)[number];

export function isHsmKeyType(value: string): value is HsmKeyType {
  return (HSM_KEY_TYPES as readonly string[]).includes(value);
}

export function isWrappingAlgorithm(value: string): value is WrappingAlgorithm {
  return (WRAPPING_ALGORITHMS as readonly string[]).includes(value);
}

/**
 * The key family: what decides how material is wrapped and how its import is proved (KMS key specs
 * SYMMETRIC_DEFAULT, HMAC_*, RSA_*, ECC_*). One spelling everywhere, the import contracts included.
 */
export const KEY_FAMILIES = ['SYMMETRIC', 'HMAC', 'RSA', 'ECC'] as const;
export type KeyFamily = (typeof KEY_FAMILIES)[number];

export function keyFamily(type: HsmKeyType): KeyFamily {
  if (type === 'AES_256') return 'SYMMETRIC';
  if (type.startsWith('HMAC_')) return 'HMAC';
  if (type.startsWith('RSA_')) return 'RSA';
  return 'ECC';
}

export function isAsymmetric(type: HsmKeyType): boolean {
  const family = keyFamily(type);
  return family === 'RSA' || family === 'ECC';
}

/** Attributes of a key in the token. Never its value. */
export interface HsmKeyInfo {
  label: string;
  /** Label of the token that holds the key. */
  token: string;
  type: HsmKeyType;
  /** PKCS#11 object class of the key material: secret key, or the private half of a pair. */
  objectClass: 'secret' | 'private';
  sensitive: boolean;
  extractable: boolean;
  alwaysSensitive: boolean;
  neverExtractable: boolean;
  /**
   * CKA_LOCAL: the token generated the key itself (not imported or unwrapped). Tokens differ: NSS
   * softoken reports false even for keys it generated (docs/rotation.md, measured).
   */
  local?: boolean | undefined;
  /** CKA_ID as text (byok writes `byok:<type>:<...>`); absent when empty. */
  id?: string | undefined;
  /** Length of a secret key's value in bytes (CKA_VALUE_LEN); absent for private keys. */
  valueLength?: number | undefined;
}

/** Verification evidence that is safe to publish: never the material itself. */
export type Evidence =
  | {
      kind: 'aes-kcv';
      /** Full 16-byte block AES-ECB(K, 0^128), lower-case hex. */
      method: 'AES-ECB-zero-block';
      block: string;
      /** The conventional 3-byte key check value: the first 6 hex digits of `block`. */
      kcv: string;
    }
  | {
      kind: 'hmac';
      /** KMS MacAlgorithm that computes the same value, e.g. HMAC_SHA_256. */
      macAlgorithm: 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512';
      /** Key length in bytes: an HMAC cannot see trailing zero padding, a length can. */
      keyLength: number;
      challenge: Uint8Array;
      mac: Uint8Array;
    }
  | {
      kind: 'public-key';
      /** SubjectPublicKeyInfo, DER. */
      spki: Uint8Array;
    };

export interface WrapKeyInput {
  label: string;
  algorithm: WrappingAlgorithm;
  /** The KMS wrapping public key from GetParametersForImport: SubjectPublicKeyInfo, DER. */
  wrappingPublicKey: Uint8Array;
  /** The HSM key type the KMS key spec needs; HsmKeyTypeMismatchError when the key is another type. */
  expectedKeyType?: HsmKeyType | undefined;
}

export interface Hsm {
  /** Label of the token this handle talks to. */
  readonly tokenLabel: string;
  /** Throws HsmKeyNotFoundError (naming the token) when no key has this label. */
  describeKey(label: string): Promise<HsmKeyInfo>;
  /** The wrapping algorithms this token can produce in-token for a key of this type. */
  wrappingAlgorithms(keyType: HsmKeyType): Promise<WrappingAlgorithm[]>;
  /** C_WrapKey inside the token; the plaintext never leaves it. */
  wrapKey(input: WrapKeyInput): Promise<{ wrappedKeyMaterial: Uint8Array }>;
  /** KCV (AES), HMAC of the challenge (HMAC; random when absent), public key (asymmetric). */
  evidence(label: string, challenge?: Uint8Array): Promise<Evidence>;
  close(): Promise<void>;
}

export interface CreateKeyInput {
  label: string;
  type: HsmKeyType;
  /** CKA_ID to write (printable, `byok:<type>:...`); a fresh random one when absent. */
  id?: string | undefined;
}

export interface ImportKeyInput {
  label: string;
  type: HsmKeyType;
  /** Raw bytes for AES and HMAC keys; PKCS#8 DER or PEM for RSA and EC private keys. */
  material: Uint8Array;
}

/** Token administration used by `byok hsm` and tests; the workflow needs only `Hsm`. */
export interface HsmAdmin extends Hsm {
  createKey(input: CreateKeyInput): Promise<HsmKeyInfo>;
  importKey(input: ImportKeyInput): Promise<HsmKeyInfo>;
  listKeys(): Promise<HsmKeyInfo[]>;
  /** Destroys the objects labelled `label`; the number destroyed (0 when none). */
  destroyKey(label: string): Promise<number>;
}
