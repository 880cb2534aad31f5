// Text checks for values byok prints but does not control (key labels, tag values, key ids): used
// by src/core/import and src/core/hsm alike, so neither borrows them from the other.

/**
 * C0 and C1 controls, DEL and the Unicode bidirectional controls. Text byok prints (labels in error
 * messages, the CLI's one-line errors, log entries) must not carry them: they could forge a line of
 * output or hide part of a label.
 */
function isUnprintable(codePoint: number): boolean {
  return (
    codePoint <= 0x1f ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x061c ||
    codePoint === 0x200e ||
    codePoint === 0x200f ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069)
  );
}

export function isPrintableText(text: string): boolean {
  for (const character of text) if (isUnprintable(character.codePointAt(0) ?? 0)) return false;
  return true;
}

/** The text with each unprintable character written as \u{…}, for quoting untrusted values in messages. */
export function escapeUnprintable(text: string): string {
  let escaped = '';
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    escaped += isUnprintable(codePoint) ? `\\u{${codePoint.toString(16).padStart(4, '0')}}` : character;
  }
  return escaped;
}

/** An untrusted value as a message may quote it: cut to `maxLength` characters (marked …), then escaped. */
export function quoteUntrusted(text: string, maxLength: number): string {
  return escapeUnprintable(text.length > maxLength ? `${text.slice(0, maxLength)}…` : text);
}
