// The raw PKCS#11 session (Pkcs11Hsm.unsafeRawAccess) for tests and benches that bypass byok's
// checks on purpose: finding a key by label and loading an RSA public key that can wrap.
import type { KeyObject } from 'node:crypto';
import pkcs11js from 'pkcs11js';

export interface RawSession {
  pkcs11: pkcs11js.PKCS11;
  session: pkcs11js.Handle;
}

/** The first object with this label (and class, when given). */
export function findRawKey(
  { pkcs11, session }: RawSession,
  label: string,
  keyClass?: number,
): pkcs11js.Handle {
  pkcs11.C_FindObjectsInit(session, [
    { type: pkcs11js.CKA_LABEL, value: label },
    ...(keyClass === undefined ? [] : [{ type: pkcs11js.CKA_CLASS, value: keyClass }]),
  ]);
  const [handle] = pkcs11.C_FindObjects(session, 1);
  pkcs11.C_FindObjectsFinal(session);
  if (!handle) throw new Error(`no key "${label}" in the token`);
  return handle;
}

/** An RSA public key as a session object with CKA_WRAP (the caller destroys it). */
export function createRawWrappingKey({ pkcs11, session }: RawSession, publicKey: KeyObject): pkcs11js.Handle {
  const jwk = publicKey.export({ format: 'jwk' });
  return pkcs11.C_CreateObject(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
    { type: pkcs11js.CKA_TOKEN, value: false },
    { type: pkcs11js.CKA_WRAP, value: true },
    { type: pkcs11js.CKA_MODULUS, value: Buffer.from(jwk.n ?? '', 'base64url') },
    { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from(jwk.e ?? '', 'base64url') },
  ]);
}
