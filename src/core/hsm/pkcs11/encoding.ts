// Byte-level helpers for PKCS#11 attribute values and the DER/JWK forms node:crypto speaks. Pure
// functions, no token access.
import type { KeyObject } from 'node:crypto';
import { HsmError, HsmInvalidKeyMaterialError } from '../errors.ts';

export function bool(value: Buffer | undefined): boolean {
  return value !== undefined && value.length > 0 && value[0] !== 0;
}

export function ulong(value: Buffer | undefined): number {
  if (!value || value.length === 0) return 0;
  // CK_ULONG in host byte order (little-endian on the platforms we run on).
  let result = 0;
  for (let i = value.length - 1; i >= 0; i -= 1) result = result * 256 + (value[i] ?? 0);
  return result;
}

export function b64u(value: Buffer | undefined): string {
  if (!value) throw new HsmError('a required key component is missing');
  return value.toString('base64url');
}

export function fromB64u(value: string | undefined): Buffer {
  if (value === undefined) throw new HsmInvalidKeyMaterialError('the private key lacks a required component');
  return Buffer.from(value, 'base64url');
}

export function stripLeadingZeros(value: Buffer): Buffer {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start += 1;
  return value.subarray(start);
}

/** CKA_EC_POINT is DER OCTET STRING around the uncompressed point; some tokens return it raw. */
export function uncompressedPoint(ecPoint: Buffer, coordinateBytes: number): Buffer {
  const rawLength = 1 + 2 * coordinateBytes;
  if (ecPoint.length === rawLength && ecPoint[0] === 0x04) return ecPoint;
  if (ecPoint[0] === 0x04) {
    const lengthByte = ecPoint[1] ?? 0;
    const headerLength = lengthByte < 0x80 ? 2 : 2 + (lengthByte & 0x7f);
    const inner = ecPoint.subarray(headerLength);
    if (inner.length === rawLength && inner[0] === 0x04) return inner;
  }
  throw new HsmError('the token returned an EC point in an unknown encoding');
}

export function derLength(tag: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([tag, length]);
  if (length < 0x100) return Buffer.from([tag, 0x81, length]);
  return Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
}

/** "RSA 2048-bit", "EC prime256v1": what a key file or wrapping key holds, for error messages. */
export function describeNodeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return `RSA ${details?.modulusLength ?? '?'}-bit`;
  if (key.asymmetricKeyType === 'ec') return `EC ${details?.namedCurve ?? '?'}`;
  return key.asymmetricKeyType ?? 'unknown';
}
