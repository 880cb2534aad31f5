// Leak scanning for tests: does a text (output, log, error, state payload) contain a known secret
// in any of the encodings it could travel in? A long-enough piece counts too, so a truncated or
// re-sliced leak is still caught. Reports name the encoding and offset, never the secret.
//
// The scan is linear in the text: every run of characters that could be an encoding is decoded
// (at every alignment) and each window of `minBytes` bytes is looked up in a set of the secret's
// windows. Large execution histories and RSA PKCS#8 secrets stay cheap.

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

interface SecretWindows {
  secret: Buffer;
  window: number;
  /** Secret offsets by the window's first bytes (8 as a bigint, or all of them as hex when shorter). */
  byPrefix: Map<bigint | string, number[]>;
}

function prefixAt(bytes: Buffer, offset: number, window: number): bigint | string {
  return window >= 8
    ? bytes.readBigUInt64LE(offset)
    : bytes.subarray(offset, offset + window).toString('hex');
}

function windowsOf(secret: Buffer, window: number): SecretWindows {
  const byPrefix = new Map<bigint | string, number[]>();
  for (let offset = 0; offset + window <= secret.length; offset += 1) {
    const prefix = prefixAt(secret, offset, window);
    const offsets = byPrefix.get(prefix);
    if (offsets) offsets.push(offset);
    else byPrefix.set(prefix, [offset]);
  }
  return { secret, window, byPrefix };
}

function firstWindowIn(bytes: Buffer, windows: SecretWindows): number | undefined {
  const { secret, window, byPrefix } = windows;
  for (let i = 0; i + window <= bytes.length; i += 1) {
    const offsets = byPrefix.get(prefixAt(bytes, i, window));
    if (!offsets) continue;
    for (const offset of offsets) {
      if (bytes.compare(secret, offset, offset + window, i, i + window) === 0) return offset;
    }
  }
  return undefined;
}

function* hexCandidates(text: string, window: number): Generator<[SecretEncoding, Buffer]> {
  for (const [run] of text.matchAll(new RegExp(`[0-9a-fA-F]{${2 * window},}`, 'g'))) {
    const encoding: SecretEncoding = /[a-f]/.test(run) || !/[A-F]/.test(run) ? 'hex' : 'HEX';
    for (const start of [0, 1]) {
      const even = run.slice(start, start + ((run.length - start) & ~1));
      yield [encoding, Buffer.from(even, 'hex')];
    }
  }
  // Bytes as two-digit hex separated by spaces, colons or commas (util.inspect of a Buffer).
  const spaced = new RegExp(`(?:[0-9a-fA-F]{2}[\\s,:]+){${window - 1},}[0-9a-fA-F]{2}(?![0-9a-fA-F])`, 'g');
  for (const [run] of text.matchAll(spaced)) {
    yield ['spaced-hex', Buffer.from(run.replace(/[\s,:]+/g, ''), 'hex')];
  }
}

function* base64Candidates(text: string, window: number): Generator<[SecretEncoding, Buffer]> {
  const minimum = Math.ceil(((window + 2) * 4) / 3);
  for (const [run] of text.matchAll(new RegExp(`[A-Za-z0-9+/_-]{${minimum},}`, 'g'))) {
    const encoding: SecretEncoding = /[-_]/.test(run) ? 'base64url' : 'base64';
    const standard = run.replace(/-/g, '+').replace(/_/g, '/');
    // The text's own 4-character grid is unknown: decode at each of the four alignments.
    for (let start = 0; start < 4; start += 1) {
      const aligned = standard.slice(start, start + ((standard.length - start) & ~3));
      yield [encoding, Buffer.from(aligned, 'base64')];
    }
  }
}

function* decimalCandidates(text: string, window: number): Generator<[SecretEncoding, Buffer]> {
  const list = new RegExp(`(?<![0-9])[0-9]{1,3}(?:\\s*,\\s*[0-9]{1,3}){${window - 1},}(?![0-9])`, 'g');
  for (const [run] of text.matchAll(list)) {
    const numbers = run.split(/\s*,\s*/).map(Number);
    // A number above 255 cannot be a byte: split the list there.
    let current: number[] = [];
    for (const value of [...numbers, 256]) {
      if (value > 255) {
        if (current.length >= window) yield ['decimal-list', Buffer.from(current)];
        current = [];
      } else current.push(value);
    }
  }
}

export function findSecret(
  text: string,
  secretBytes: Uint8Array,
  options: SecretScanOptions = {},
): SecretFinding | undefined {
  const secret = Buffer.from(secretBytes);
  if (secret.length === 0) return undefined;
  const window = Math.min(options.minBytes ?? 16, secret.length);
  const windows = windowsOf(secret, window);
  const candidates: Iterable<[SecretEncoding, Buffer]>[] = [
    hexCandidates(text, window),
    base64Candidates(text, window),
    decimalCandidates(text, window),
    [['latin1', Buffer.from(text, 'latin1')]],
  ];
  for (const source of candidates) {
    for (const [encoding, bytes] of source) {
      const byteOffset = firstWindowIn(bytes, windows);
      if (byteOffset !== undefined) return { encoding, byteOffset, bytes: window };
    }
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
