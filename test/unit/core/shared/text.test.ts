// The neutral text checks src/core/import and src/core/hsm share: what counts as printable, how an untrusted
// value is quoted in a message.
import { describe, expect, it } from 'vitest';
import { escapeUnprintable, isPrintableText, quoteUntrusted } from '../../../../src/core/shared/text.ts';

describe('shared text checks', () => {
  it.each([
    ['ESC', '\u001b[2K'],
    ['DEL', 'a\u007fb'],
    ['C1 control', 'a\u0085b'],
    ['bidirectional override', 'abc\u202edcba'],
    ['bidirectional isolate', 'a\u2066b'],
  ])('refuses text with a %s', (_name, text) => {
    // Act / Assess
    expect(isPrintableText(text)).toBe(false);
  });

  it('accepts ordinary text, including non-ASCII letters', () => {
    // Act / Assess
    expect(isPrintableText('prod-aes-2026 clé ключ')).toBe(true);
  });

  it('escapes each unprintable character as \\u{…} and keeps the rest', () => {
    // Act
    const escaped = escapeUnprintable('a\u001bb\u202ec');
    // Assess
    expect(escaped).toBe('a\\u{001b}b\\u{202e}c');
  });

  it('cuts a long value before escaping it and marks the cut', () => {
    // Prepare
    const long = `${'x'.repeat(50)}\u001b`;
    // Act
    const quoted = quoteUntrusted(long, 40);
    // Assess
    expect(quoted).toBe(`${'x'.repeat(40)}…`);
    expect(quoteUntrusted('short\r', 40)).toBe('short\\u{000d}');
  });
});
