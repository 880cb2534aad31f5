// Token administration that only the CLI (`byok hsm`), the demo and tests use: listing keys,
// generating a key and importing key material from a file into a new master copy. Not on the wrap
// path: the WrapKeyMaterial Lambda never creates or imports a key.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { isPrintableText, quoteUntrusted } from '../../shared/text.ts';
import {
  HsmError,
  HsmInvalidKeyLabelError,
  HsmInvalidKeyMaterialError,
  HsmKeyAlreadyExistsError,
  HsmKeyTypeMismatchError,
} from '../errors.ts';
import { type CreateKeyInput, type HsmKeyInfo, type ImportKeyInput, keyFamily } from '../port.ts';
import { derLength, describeNodeKey, fromB64u } from './encoding.ts';
import type { TokenSession } from './session.ts';
import {
  CURVES,
  HMAC_LENGTHS,
  HMAC_MAX_LENGTHS,
  newKeyId,
  privateTemplate,
  publicTemplate,
  RSA_BITS,
  secretTemplate,
} from './templates.ts';

const {
  CKA_CLASS,
  CKA_KEY_TYPE,
  CKA_LABEL,
  CKA_VALUE,
  CKA_VALUE_LEN,
  CKA_MODULUS,
  CKA_MODULUS_BITS,
  CKA_PUBLIC_EXPONENT,
  CKA_PRIVATE_EXPONENT,
  CKA_PRIME_1,
  CKA_PRIME_2,
  CKA_EXPONENT_1,
  CKA_EXPONENT_2,
  CKA_COEFFICIENT,
  CKA_EC_PARAMS,
  CKA_EC_POINT,
  CKO_SECRET_KEY,
  CKO_PRIVATE_KEY,
  CKK_RSA,
  CKK_EC,
  CKM_AES_KEY_GEN,
  CKM_GENERIC_SECRET_KEY_GEN,
  CKM_RSA_PKCS_KEY_PAIR_GEN,
  CKM_EC_KEY_PAIR_GEN,
} = pkcs11js;

/** As the execution input's hsmKeyLabel: labels are printed (`byok hsm list`, errors, logs). */
const MAX_KEY_LABEL_LENGTH = 128;

/** Refuses a label for a new key that is empty, too long or not printable; never echoes it raw. */
export function assertValidKeyLabel(label: string): void {
  const quoted = quoteUntrusted(label, 40);
  if (label.length === 0) throw new HsmInvalidKeyLabelError('a key label must not be empty');
  if (label.length > MAX_KEY_LABEL_LENGTH) {
    throw new HsmInvalidKeyLabelError(
      `key label "${quoted}" is ${label.length} characters long; at most ${MAX_KEY_LABEL_LENGTH} are allowed`,
    );
  }
  if (!isPrintableText(label)) {
    throw new HsmInvalidKeyLabelError(`key label "${quoted}" contains control or bidirectional characters`);
  }
}

/** Every secret and private key byok handles in the token, by label. */
export function listKeysInToken(token: TokenSession): HsmKeyInfo[] {
  token.assertOpen();
  const infos: HsmKeyInfo[] = [];
  for (const objectClass of [CKO_SECRET_KEY, CKO_PRIVATE_KEY]) {
    for (const handle of token.find([{ type: CKA_CLASS, value: objectClass }])) {
      const found = token.readKey(handle, undefined);
      if (found) infos.push(found.info);
    }
  }
  return infos.sort((a, b) => a.label.localeCompare(b.label));
}

/** Generates a master copy (a secret key, or a key pair) in the token. */
export function createKeyInToken(token: TokenSession, input: CreateKeyInput): HsmKeyInfo {
  token.assertOpen();
  assertLabelFree(token, input.label);
  const id = input.id === undefined ? newKeyId(input.type) : requestedKeyId(input.id, input.type);
  const family = keyFamily(input.type);
  const { pkcs11 } = token;
  try {
    if (family === 'SYMMETRIC' || family === 'HMAC') {
      const length = family === 'SYMMETRIC' ? 32 : (HMAC_LENGTHS[input.type] ?? 32);
      pkcs11.C_GenerateKey(
        token.handle,
        { mechanism: family === 'SYMMETRIC' ? CKM_AES_KEY_GEN : CKM_GENERIC_SECRET_KEY_GEN },
        [...secretTemplate(input.label, id, input.type), { type: CKA_VALUE_LEN, value: length }],
      );
    } else if (family === 'RSA') {
      pkcs11.C_GenerateKeyPair(
        token.handle,
        { mechanism: CKM_RSA_PKCS_KEY_PAIR_GEN },
        [
          ...publicTemplate(input.label, id),
          { type: CKA_KEY_TYPE, value: CKK_RSA },
          { type: CKA_MODULUS_BITS, value: RSA_BITS[input.type] ?? 2048 },
          { type: CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
        ],
        [...privateTemplate(input.label, id), { type: CKA_KEY_TYPE, value: CKK_RSA }],
      );
    } else {
      const curve = CURVES[input.type];
      if (!curve) throw new HsmKeyTypeMismatchError(`unsupported key type ${input.type}`, input.label);
      pkcs11.C_GenerateKeyPair(
        token.handle,
        { mechanism: CKM_EC_KEY_PAIR_GEN },
        [
          ...publicTemplate(input.label, id),
          { type: CKA_KEY_TYPE, value: CKK_EC },
          { type: CKA_EC_PARAMS, value: curve.oid },
        ],
        [...privateTemplate(input.label, id), { type: CKA_KEY_TYPE, value: CKK_EC }],
      );
    }
  } catch (error) {
    throw token.mapError(error, `generating ${input.type} key "${input.label}"`);
  }
  return token.findKey(input.label).info;
}

/**
 * Destroys every object labelled `label` (the key, or both halves of a pair); returns how many.
 * Used for material that never reached KMS (an abandoned rotation), never for one KMS holds.
 */
export function destroyKeyInToken(token: TokenSession, label: string): number {
  token.assertOpen();
  const handles = token.find([{ type: CKA_LABEL, value: label }]);
  try {
    for (const handle of handles) token.pkcs11.C_DestroyObject(token.handle, handle);
  } catch (error) {
    throw token.mapError(error, `destroying key "${label}"`);
  }
  return handles.length;
}

/** Imports key material from a file into a new master copy; the caller's buffer copy is zeroed. */
export function importKeyInToken(token: TokenSession, input: ImportKeyInput): HsmKeyInfo {
  token.assertOpen();
  assertLabelFree(token, input.label);
  const id = newKeyId(input.type);
  const family = keyFamily(input.type);
  try {
    if (family === 'SYMMETRIC' || family === 'HMAC') {
      importSecret(token, input, id);
    } else {
      importPrivateKey(token, input, id);
    }
  } catch (error) {
    if (error instanceof HsmError) throw error;
    throw token.mapError(error, `importing ${input.type} key "${input.label}"`);
  }
  return token.findKey(input.label).info;
}

function importSecret(token: TokenSession, input: ImportKeyInput, id: Buffer): void {
  const length = input.material.length;
  if (input.type === 'AES_256' && length !== 32) {
    throw new HsmInvalidKeyMaterialError(`AES_256 key material must be 32 bytes, the file has ${length}`);
  }
  if (input.type.startsWith('HMAC_')) {
    const min = HMAC_LENGTHS[input.type] ?? 0;
    const max = HMAC_MAX_LENGTHS[input.type] ?? 0;
    if (length < min || length > max) {
      throw new HsmInvalidKeyMaterialError(
        `${input.type} key material must be ${min} to ${max} bytes, the file has ${length}`,
      );
    }
  }
  const value = Buffer.from(input.material);
  try {
    token.pkcs11.C_CreateObject(token.handle, [
      ...secretTemplate(input.label, id, input.type),
      { type: CKA_VALUE, value },
    ]);
  } finally {
    value.fill(0);
  }
}

function importPrivateKey(token: TokenSession, input: ImportKeyInput, id: Buffer): void {
  let privateKey: KeyObject;
  try {
    const material = Buffer.from(input.material);
    const pem = material.subarray(0, 32).toString('latin1').includes('-----BEGIN');
    privateKey = pem
      ? createPrivateKey({ key: material.toString('utf8'), format: 'pem' })
      : createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
  } catch {
    // The parser's message could quote the input: say only what is wrong.
    throw new HsmInvalidKeyMaterialError(
      `the ${input.type} key file is not a PKCS#8 private key (DER or PEM)`,
    );
  }
  const family = keyFamily(input.type);
  const details = privateKey.asymmetricKeyDetails;
  const jwk = privateKey.export({ format: 'jwk' });
  const { pkcs11 } = token;
  if (family === 'RSA') {
    if (privateKey.asymmetricKeyType !== 'rsa' || details?.modulusLength !== RSA_BITS[input.type]) {
      throw new HsmInvalidKeyMaterialError(
        `the key file holds a ${describeNodeKey(privateKey)} key, not ${input.type}`,
      );
    }
    const common = [{ type: CKA_KEY_TYPE, value: CKK_RSA }];
    pkcs11.C_CreateObject(token.handle, [
      ...privateTemplate(input.label, id),
      ...common,
      { type: CKA_MODULUS, value: fromB64u(jwk.n) },
      { type: CKA_PUBLIC_EXPONENT, value: fromB64u(jwk.e) },
      { type: CKA_PRIVATE_EXPONENT, value: fromB64u(jwk.d) },
      { type: CKA_PRIME_1, value: fromB64u(jwk.p) },
      { type: CKA_PRIME_2, value: fromB64u(jwk.q) },
      { type: CKA_EXPONENT_1, value: fromB64u(jwk.dp) },
      { type: CKA_EXPONENT_2, value: fromB64u(jwk.dq) },
      { type: CKA_COEFFICIENT, value: fromB64u(jwk.qi) },
    ]);
    pkcs11.C_CreateObject(token.handle, [
      ...publicTemplate(input.label, id),
      ...common,
      { type: CKA_MODULUS, value: fromB64u(jwk.n) },
      { type: CKA_PUBLIC_EXPONENT, value: fromB64u(jwk.e) },
    ]);
    return;
  }
  const curve = CURVES[input.type];
  if (!curve || privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== curve.nodeCurve) {
    throw new HsmInvalidKeyMaterialError(
      `the key file holds a ${describeNodeKey(privateKey)} key, not ${input.type}`,
    );
  }
  const point = Buffer.concat([Buffer.from([0x04]), fromB64u(jwk.x), fromB64u(jwk.y)]);
  const common = [
    { type: CKA_KEY_TYPE, value: CKK_EC },
    { type: CKA_EC_PARAMS, value: curve.oid },
  ];
  pkcs11.C_CreateObject(token.handle, [
    ...privateTemplate(input.label, id),
    ...common,
    { type: CKA_VALUE, value: fromB64u(jwk.d) },
  ]);
  pkcs11.C_CreateObject(token.handle, [
    ...publicTemplate(input.label, id),
    ...common,
    // DER OCTET STRING around the uncompressed point, as PKCS#11 specifies.
    { type: CKA_EC_POINT, value: Buffer.concat([derLength(0x04, point.length), point]) },
  ]);
}

/** A caller's CKA_ID: printable, bounded, and declaring the type like every byok CKA_ID. */
function requestedKeyId(id: string, type: CreateKeyInput['type']): Buffer {
  if (!/^[\x21-\x7e]{1,128}$/.test(id) || !id.startsWith(`byok:${type}:`)) {
    throw new HsmError(`a key id must be printable, at most 128 characters, and start with byok:${type}:`);
  }
  return Buffer.from(id, 'latin1');
}

function assertLabelFree(token: TokenSession, label: string): void {
  if (label.length === 0) throw new HsmError('a key label must not be empty');
  if (token.find([{ type: CKA_LABEL, value: label }]).length > 0) {
    throw new HsmKeyAlreadyExistsError(label, token.tokenLabel);
  }
}
