// Leak scanning for tests: does a text (output, log, error, state payload) contain a known secret
// in any of the encodings it could travel in? A long-enough piece counts too, so a truncated or
// re-sliced leak is still caught. Reports name the encoding and offset, never the secret.

export type SecretEncoding =
  | 'hex'
  | 'HEX'
  | 'base64'
  | 'base64url'
  | 'spaced-hex'
  | 'decimal-list'
  | 'latin1';

export interface SecretFinding {
  encoding: SecretEncoding;
  /** Offset of the first secret byte the matched piece covers. */
  byteOffset: number;
  /** Length of the matched piece in bytes. */
  bytes: number;
}

export interface SecretScanOptions {
  /** Smallest piece of the secret (in bytes) that counts as a leak; default 16 (or the whole secret if shorter). */
  minBytes?: number;
}

function needlesFor(piece: Buffer): Array<[SecretEncoding, string]> {
  // Base64 characters are exact only for whole 3-byte groups: keep those.
  const whole = piece.subarray(0, piece.length - (piece.length % 3));
  const needles: Array<[SecretEncoding, string]> = [
    ['hex', piece.toString('hex')],
    ['HEX', piece.toString('hex').toUpperCase()],
    ['spaced-hex', [...piece].map((b) => b.toString(16).padStart(2, '0')).join(' ')],
    ['latin1', piece.toString('latin1')],
  ];
  if (whole.length > 0) {
    needles.push(['base64', whole.toString('base64')], ['base64url', whole.toString('base64url')]);
  }
  return needles;
}

function decimalList(piece: Buffer): RegExp {
  return new RegExp(`(?<![0-9])${[...piece].join(',\\s*')}(?![0-9])`);
}

export function findSecret(
  text: string,
  secretBytes: Uint8Array,
  options: SecretScanOptions = {},
): SecretFinding | undefined {
  const secret = Buffer.from(secretBytes);
  if (secret.length === 0) return undefined;
  const window = Math.min(options.minBytes ?? 16, secret.length);
  for (let offset = 0; offset + window <= secret.length; offset += 1) {
    const piece = secret.subarray(offset, offset + window);
    for (const [encoding, needle] of needlesFor(piece)) {
      if (needle.length > 0 && text.includes(needle)) return { encoding, byteOffset: offset, bytes: window };
    }
    // Decimal lists (util.inspect of a Uint8Array, JSON arrays) with any spacing between numbers.
    if (decimalList(piece).test(text)) return { encoding: 'decimal-list', byteOffset: offset, bytes: window };
  }
  return undefined;
}

/** Throws when the text contains the secret; the message says where and how, not what. */
export function expectNoSecret(
  text: string,
  secretBytes: Uint8Array,
  what = 'text',
  options: SecretScanOptions = {},
): void {
  const finding = findSecret(text, secretBytes, options);
  if (finding) {
    throw new Error(
      `${what} contains the secret as ${finding.encoding} (${finding.bytes} bytes from secret offset ${finding.byteOffset})`,
    );
  }
}
