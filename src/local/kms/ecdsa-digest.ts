// ECDSA over a precomputed digest (Sign/Verify with MessageType DIGEST). node:crypto always hashes
// the input for ECDSA, so this does the textbook algorithm (SEC 1, 4.1.3/4.1.4) with BigInt. The
// generator comes from OpenSSL itself (the public key of the scalar 1); only p, a and n are tabled.
import { createECDH, type KeyObject, randomBytes } from 'node:crypto';

interface Curve {
  p: bigint;
  a: bigint;
  n: bigint;
  fieldBytes: number;
}

const P256: Curve = {
  p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
  a: 0xffffffff00000001000000000000000000000000fffffffffffffffffffffffcn,
  n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  fieldBytes: 32,
};
const P384: Curve = {
  p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
  a: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffcn,
  n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  fieldBytes: 48,
};
const P521: Curve = {
  p: (1n << 521n) - 1n,
  a: (1n << 521n) - 4n,
  n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  fieldBytes: 66,
};
const SECP256K1: Curve = {
  p: (1n << 256n) - (1n << 32n) - 977n,
  a: 0n,
  n: 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n,
  fieldBytes: 32,
};

const CURVES: Record<string, Curve> = {
  prime256v1: P256,
  secp384r1: P384,
  secp521r1: P521,
  secp256k1: SECP256K1,
};

type Point = { x: bigint; y: bigint } | null;

function mod(value: bigint, modulus: bigint): bigint {
  const result = value % modulus;
  return result >= 0n ? result : result + modulus;
}

function inverse(value: bigint, modulus: bigint): bigint {
  let [low, high] = [mod(value, modulus), modulus];
  let [lm, hm] = [1n, 0n];
  while (low > 1n) {
    const ratio = high / low;
    [lm, hm] = [hm - lm * ratio, lm];
    [low, high] = [high - low * ratio, low];
  }
  return mod(lm, modulus);
}

function add(curve: Curve, left: Point, right: Point): Point {
  if (!left) return right;
  if (!right) return left;
  const { p } = curve;
  if (left.x === right.x && mod(left.y + right.y, p) === 0n) return null;
  const slope =
    left.x === right.x && left.y === right.y
      ? mod((3n * left.x * left.x + curve.a) * inverse(2n * left.y, p), p)
      : mod((right.y - left.y) * inverse(right.x - left.x, p), p);
  const x = mod(slope * slope - left.x - right.x, p);
  return { x, y: mod(slope * (left.x - x) - left.y, p) };
}

function multiply(curve: Curve, point: Point, scalar: bigint): Point {
  let result: Point = null;
  let addend = point;
  for (let k = scalar; k > 0n; k >>= 1n) {
    if (k & 1n) result = add(curve, result, addend);
    addend = add(curve, addend, addend);
  }
  return result;
}

function toBigInt(bytes: Buffer): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${bytes.toString('hex')}`);
}

function fromBase64Url(value: string | undefined): bigint {
  return toBigInt(Buffer.from(value ?? '', 'base64url'));
}

function generator(curveName: string, curve: Curve): Point {
  const ecdh = createECDH(curveName);
  const one = Buffer.alloc(curve.fieldBytes);
  one[one.length - 1] = 1;
  ecdh.setPrivateKey(one);
  const encoded = ecdh.getPublicKey();
  return {
    x: toBigInt(encoded.subarray(1, 1 + curve.fieldBytes)),
    y: toBigInt(encoded.subarray(1 + curve.fieldBytes)),
  };
}

function curveOf(key: KeyObject): [string, Curve] {
  const name = key.asymmetricKeyDetails?.namedCurve ?? '';
  const curve = CURVES[name];
  if (!curve) throw new Error(`unsupported curve ${name}`);
  return [name, curve];
}

/** The digest as an integer, truncated to the bit length of n. */
function digestInteger(digest: Buffer, n: bigint): bigint {
  const nBits = n.toString(2).length;
  const value = toBigInt(digest);
  const excess = digest.length * 8 - nBits;
  return excess > 0 ? value >> BigInt(excess) : value;
}

function derInteger(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02]), derLengthBytes(bytes.length), bytes]);
}

function derLengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  return length < 0x100 ? Buffer.from([0x81, length]) : Buffer.from([0x82, length >> 8, length & 0xff]);
}

function readDerLength(der: Buffer, offset: number): [number, number] {
  const first = der[offset] ?? 0;
  if (first < 0x80) return [first, offset + 1];
  const count = first & 0x7f;
  let length = 0;
  for (let index = 0; index < count; index++) length = length * 256 + (der[offset + 1 + index] ?? 0);
  return [length, offset + 1 + count];
}

function parseSignature(der: Buffer): [bigint, bigint] | undefined {
  if (der[0] !== 0x30) return undefined;
  const [total, start] = readDerLength(der, 1);
  if (start + total !== der.length) return undefined;
  const values: bigint[] = [];
  let offset = start;
  for (let index = 0; index < 2; index++) {
    if (der[offset] !== 0x02) return undefined;
    const [length, body] = readDerLength(der, offset + 1);
    values.push(toBigInt(der.subarray(body, body + length)));
    offset = body + length;
  }
  if (offset !== der.length) return undefined;
  return [values[0] ?? 0n, values[1] ?? 0n];
}

export function signDigest(privateKey: KeyObject, digest: Buffer): Buffer {
  const [name, curve] = curveOf(privateKey);
  const d = fromBase64Url(privateKey.export({ format: 'jwk' }).d);
  const z = digestInteger(digest, curve.n);
  const g = generator(name, curve);
  for (;;) {
    const k = mod(toBigInt(randomBytes(curve.fieldBytes + 8)), curve.n - 1n) + 1n;
    const point = multiply(curve, g, k);
    if (!point) continue;
    const r = mod(point.x, curve.n);
    if (r === 0n) continue;
    const s = mod(inverse(k, curve.n) * (z + r * d), curve.n);
    if (s === 0n) continue;
    const body = Buffer.concat([derInteger(r), derInteger(s)]);
    return Buffer.concat([Buffer.from([0x30]), derLengthBytes(body.length), body]);
  }
}

export function verifyDigest(publicKey: KeyObject, digest: Buffer, signature: Buffer): boolean {
  const [name, curve] = curveOf(publicKey);
  const parsed = parseSignature(signature);
  if (!parsed) return false;
  const [r, s] = parsed;
  if (r < 1n || r >= curve.n || s < 1n || s >= curve.n) return false;
  const jwk = publicKey.export({ format: 'jwk' });
  const q: Point = { x: fromBase64Url(jwk.x), y: fromBase64Url(jwk.y) };
  const w = inverse(s, curve.n);
  const z = digestInteger(digest, curve.n);
  const point = add(
    curve,
    multiply(curve, generator(name, curve), mod(z * w, curve.n)),
    multiply(curve, q, mod(r * w, curve.n)),
  );
  return point !== null && mod(point.x, curve.n) === r;
}
