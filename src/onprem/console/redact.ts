// State inputs and outputs on their way to the page. They carry no plaintext key material (the
// workflow's contract), but they do carry KMS import tokens and wrapped blobs, which the page has
// no use for: fields whose name says token, PIN, secret or (wrapped) key material are replaced,
// and any other long string is cut short.
const SENSITIVE_WORDS = new Set([
  'token',
  'pin',
  'secret',
  'password',
  'passphrase',
  'plaintext',
  'material',
]);
const LONG_STRING = 160;

function wordsOf(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_\-.]+/)
    .map((word) => word.toLowerCase());
}

/** A material *id* or a token *attempt count* is not sensitive: only the last word decides. */
export function isSensitiveField(key: string): boolean {
  const words = wordsOf(key);
  const last = words[words.length - 1] ?? '';
  return SENSITIVE_WORDS.has(last) || (words.includes('token') && last !== 'attempt' && last !== 'attempts');
}

export function redact(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length > LONG_STRING ? `${value.slice(0, 24)}… (${value.length} characters)` : value;
  }
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        isSensitiveField(key) && inner !== null && typeof inner !== 'number' && typeof inner !== 'boolean'
          ? '[redacted]'
          : redact(inner),
      ]),
    );
  }
  return value;
}

/** A JSON text from the history, redacted; text that is not JSON is cut like any string. */
export function redactJsonText(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return redact(JSON.parse(text));
  } catch {
    return redact(text);
  }
}
