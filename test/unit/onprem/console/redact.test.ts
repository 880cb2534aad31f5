import { describe, expect, it } from 'vitest';
import { isSensitiveField, redact, redactJsonText } from '../../../../src/onprem/console/redact.ts';

describe('redact', () => {
  it.each(['importToken', 'wrappedKeyMaterial', 'taskToken', 'pin', 'hsmPin', 'secret', 'plaintext'])(
    'treats %s as sensitive',
    (field) => {
      // Act / Assess
      expect(isSensitiveField(field)).toBe(true);
    },
  );

  it.each([
    'keyMaterialId',
    'importTokenAttempt',
    'importTokenAttempts',
    'wrappingPublicKey',
    'keyId',
    'spki',
  ])('leaves %s alone', (field) => {
    // Act / Assess
    expect(isSensitiveField(field)).toBe(false);
  });

  it('replaces sensitive strings at any depth, keeps numbers and cuts long strings', () => {
    // Prepare
    const state = {
      importParameters: { importToken: 'AAAA', importTokenAttempt: 2, wrappingPublicKey: 'M'.repeat(700) },
      wrappedKeyMaterial: 'BBBB',
      results: [{ taskToken: 'CCCC', keyMaterialId: 'abc' }],
    };

    // Act
    const shown = redact(state);

    // Assess
    expect(shown).toEqual({
      importParameters: {
        importToken: '[redacted]',
        importTokenAttempt: 2,
        wrappingPublicKey: `${'M'.repeat(24)}… (700 characters)`,
      },
      wrappedKeyMaterial: '[redacted]',
      results: [{ taskToken: '[redacted]', keyMaterialId: 'abc' }],
    });
  });

  it('reads JSON text and treats other text as a string', () => {
    // Act / Assess
    expect(redactJsonText('{"importToken":"x"}')).toEqual({ importToken: '[redacted]' });
    expect(redactJsonText('not json')).toBe('not json');
    expect(redactJsonText(undefined)).toBeUndefined();
  });
});
