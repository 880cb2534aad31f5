// Text checks for values byok prints but does not control (key labels, tag values, key ids, key
// descriptions, error messages and causes from AWS, approval reasons): used by src/core/import and
// src/core/hsm alike, so neither borrows them from the other, and by the CLI's output and the web
// console, so that a terminal and a page show the same text the same way (one rule, one notation).

/**
 * C0 and C1 controls, DEL and the Unicode bidirectional controls. Text byok prints (labels in error
 * messages, the CLI's one-line errors, log entries) must not carry them: they could forge a line of
 * output (ESC sequences, carriage returns, line feeds) or hide part of a label (a right-to-left
 * override makes U+202E + "stnemyap" read "payments").
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

/** Unprintable but line feed and tab: what may stay in text shown on several lines. */
function isInvisible(codePoint: number): boolean {
  return codePoint !== 0x0a && codePoint !== 0x09 && isUnprintable(codePoint);
}

export function isPrintableText(text: string): boolean {
  for (const character of text) if (isUnprintable(character.codePointAt(0) ?? 0)) return false;
  return true;
}

function escapeWhere(text: string, escaped: (codePoint: number) => boolean): string {
  // Most text has none: return it as it is, without building a copy (JSON views run to 100s of KB).
  let any = false;
  for (let index = 0; index < text.length && !any; index += 1) any = escaped(text.charCodeAt(index));
  if (!any) return text;
  let shown = '';
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    shown += escaped(codePoint) ? `\\u{${codePoint.toString(16).padStart(4, '0')}}` : character;
  }
  return shown;
}

/**
 * The text with each unprintable character written as \u{…}, line feeds and tabs included: for one
 * value quoted in a message or one cell of a table, which must stay on its line.
 */
export function escapeUnprintable(text: string): string {
  return escapeWhere(text, isUnprintable);
}

/**
 * The text with each unprintable character but line feed and tab written as \u{…}: for text shown on
 * several lines (the console's text nodes, whatever the CLI writes to a terminal).
 */
export function visibleText(text: string): string {
  return escapeWhere(text, isInvisible);
}

/** An untrusted value as a message may quote it: cut to `maxLength` characters (marked …), then escaped. */
export function quoteUntrusted(text: string, maxLength: number): string {
  return escapeUnprintable(text.length > maxLength ? `${text.slice(0, maxLength)}…` : text);
}

/**
 * JSON.stringify, with DEL, the C1 controls and the bidirectional controls also written as \uXXXX.
 * JSON.stringify escapes only U+0000..U+001F; the others it leaves raw, and a terminal showing the
 * JSON would act on them. The escapes stand only inside strings (nothing else in JSON can hold these
 * characters), so the document parses to the same value.
 */
export function terminalJson(
  value: unknown,
  space?: number,
  replacer?: (this: unknown, key: string, value: unknown) => unknown,
): string {
  const json: string | undefined = replacer
    ? JSON.stringify(value, replacer, space)
    : JSON.stringify(value, null, space);
  // JSON.stringify(undefined) is undefined, not a string: written as a template string would write it.
  if (json === undefined) return 'undefined';
  return json.replace(
    /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (character) => `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
}
