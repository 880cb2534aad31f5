// What byok writes into a token and how it reads a key's type back: the key-type tables (HMAC
// lengths, RSA sizes, curve OIDs), the CKA_ID scheme, and the attribute templates of the master
// copy. Every attribute is set explicitly: NSS's defaults (not sensitive, all usages on) are unsafe.
import { randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import type { HsmKeyType } from '../port.ts';
import type { Template } from './module.ts';

const {
  CKA_CLASS,
  CKA_KEY_TYPE,
  CKA_LABEL,
  CKA_ID,
  CKA_TOKEN,
  CKA_PRIVATE,
  CKA_SENSITIVE,
  CKA_EXTRACTABLE,
  CKA_ENCRYPT,
  CKA_DECRYPT,
  CKA_WRAP,
  CKA_UNWRAP,
  CKA_SIGN,
  CKA_VERIFY,
  CKA_DERIVE,
  CKO_SECRET_KEY,
  CKO_PRIVATE_KEY,
  CKO_PUBLIC_KEY,
  CKK_AES,
  CKK_GENERIC_SECRET,
} = pkcs11js;

/** Key length in bytes byok generates for each HMAC type (the hash's output length). */
export const HMAC_LENGTHS: Record<string, number> = {
  HMAC_224: 28,
  HMAC_256: 32,
  HMAC_384: 48,
  HMAC_512: 64,
};
/** Longest key KMS imports for each HMAC type (the hash's block length). */
export const HMAC_MAX_LENGTHS: Record<string, number> = {
  HMAC_224: 64,
  HMAC_256: 64,
  HMAC_384: 128,
  HMAC_512: 128,
};
/** The HMAC type of a generic secret whose CKA_ID does not say (a key byok did not create). */
export const HMAC_TYPE_BY_LENGTH = new Map<number, HsmKeyType>([
  [28, 'HMAC_224'],
  [32, 'HMAC_256'],
  [48, 'HMAC_384'],
  [64, 'HMAC_512'],
]);

export interface Curve {
  /** DER of the named-curve OID (CKA_EC_PARAMS). */
  oid: Buffer;
  jwkCurve: string;
  nodeCurve: string;
  coordinateBytes: number;
}

export const CURVES: Record<string, Curve> = {
  ECC_NIST_P256: {
    oid: Buffer.from('06082a8648ce3d030107', 'hex'),
    jwkCurve: 'P-256',
    nodeCurve: 'prime256v1',
    coordinateBytes: 32,
  },
  ECC_NIST_P384: {
    oid: Buffer.from('06052b81040022', 'hex'),
    jwkCurve: 'P-384',
    nodeCurve: 'secp384r1',
    coordinateBytes: 48,
  },
  ECC_NIST_P521: {
    oid: Buffer.from('06052b81040023', 'hex'),
    jwkCurve: 'P-521',
    nodeCurve: 'secp521r1',
    coordinateBytes: 66,
  },
};

export const RSA_BITS: Record<string, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

/**
 * CKA_ID `byok:<type>:<random>`: records the type byok was asked for, links the halves of a pair,
 * and is unique, because NSS treats CKA_ID as a key's identity (a second key with the same ID
 * silently replaces the first).
 */
const ID_PREFIX = 'byok:';

export function newKeyId(type: HsmKeyType): Buffer {
  return Buffer.from(`${ID_PREFIX}${type}:${randomBytes(8).toString('hex')}`, 'utf8');
}

/** The type a byok CKA_ID records, unchecked; undefined for an ID byok did not write. */
export function declaredKeyType(id: Buffer): string | undefined {
  const text = id.toString('utf8');
  return text.startsWith(ID_PREFIX) ? text.slice(ID_PREFIX.length).split(':')[0] : undefined;
}

/** A secret master copy. AES: encrypt only, for the key check value. HMAC: sign only, for the evidence MAC. */
export function secretTemplate(label: string, id: Buffer, type: HsmKeyType): Template {
  const aes = type === 'AES_256';
  return [
    ...masterCopyTemplate(CKO_SECRET_KEY, label, id),
    { type: CKA_KEY_TYPE, value: aes ? CKK_AES : CKK_GENERIC_SECRET },
    { type: CKA_ENCRYPT, value: aes },
    { type: CKA_DECRYPT, value: false },
    { type: CKA_SIGN, value: !aes },
    { type: CKA_VERIFY, value: false },
    { type: CKA_WRAP, value: false },
    { type: CKA_UNWRAP, value: false },
    { type: CKA_DERIVE, value: false },
  ];
}

/** The private half of a pair: sign only. */
export function privateTemplate(label: string, id: Buffer): Template {
  return [
    ...masterCopyTemplate(CKO_PRIVATE_KEY, label, id),
    { type: CKA_SIGN, value: true },
    { type: CKA_DECRYPT, value: false },
    { type: CKA_UNWRAP, value: false },
    { type: CKA_DERIVE, value: false },
  ];
}

/**
 * A master copy (secret or private key) stays in the token, behind login, and leaves it only
 * wrapped: C_WrapKey needs CKA_EXTRACTABLE, CKA_SENSITIVE forbids reading its value.
 */
function masterCopyTemplate(keyClass: number, label: string, id: Buffer): Template {
  return [
    { type: CKA_CLASS, value: keyClass },
    { type: CKA_LABEL, value: label },
    { type: CKA_ID, value: id },
    { type: CKA_TOKEN, value: true },
    { type: CKA_PRIVATE, value: true },
    { type: CKA_SENSITIVE, value: true },
    { type: CKA_EXTRACTABLE, value: true },
  ];
}

/** The public half of a pair: verify only, readable without login. */
export function publicTemplate(label: string, id: Buffer): Template {
  return [
    { type: CKA_CLASS, value: CKO_PUBLIC_KEY },
    { type: CKA_LABEL, value: label },
    { type: CKA_ID, value: id },
    { type: CKA_TOKEN, value: true },
    { type: CKA_PRIVATE, value: false },
    { type: CKA_VERIFY, value: true },
    { type: CKA_ENCRYPT, value: false },
    { type: CKA_WRAP, value: false },
  ];
}
