// The neutral text checks src/core/import and src/core/hsm share: what counts as printable, how an untrusted
// value is quoted in a message.
import { describe, expect, it } from 'vitest';
import {
  escapeUnprintable,
  isPrintableText,
  quoteUntrusted,
  terminalJson,
  visibleText,
} from '../../../../src/core/shared/text.ts';

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

  it('visibleText keeps line feeds and tabs and escapes every other control as escapeUnprintable does', () => {
    // Prepare
    const text = 'line 1\tcell\nline 2 \u001b[2K\rforged \u202estnemyap \u0085 \u007f';
    // Act
    const shown = visibleText(text);
    // Assess
    expect(shown).toBe(
      'line 1\tcell\nline 2 \\u{001b}[2K\\u{000d}forged \\u{202e}stnemyap \\u{0085} \\u{007f}',
    );
    expect(escapeUnprintable('a\nb')).toBe('a\\u{000a}b');
  });

  it('terminalJson writes DEL, C1 and bidirectional controls as \\uXXXX, which JSON.stringify leaves raw', () => {
    // Prepare: JSON.stringify escapes C0 only.
    const value = {
      description: '\u202estnemyap',
      csi: '\u009b2K',
      del: 'a\u007f',
      esc: '\u001b]8;;x\u0007',
    };
    expect(JSON.stringify(value)).toContain('\u202e');
    // Act
    const json = terminalJson(value, 2);
    // Assess: no raw control or bidi character, and the same value when parsed.
    for (const raw of ['\u202e', '\u009b', '\u007f', '\u001b', '\u0007']) expect(json).not.toContain(raw);
    expect(json).toContain('"\\u202estnemyap"');
    expect(JSON.parse(json)).toEqual(value);
    expect(terminalJson(undefined)).toBe(`${JSON.stringify(undefined)}`);
  });
});
