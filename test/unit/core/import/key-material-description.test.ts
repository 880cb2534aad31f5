import { describe, expect, it } from 'vitest';
import { KeyMaterialDescriptionError } from '../../../../src/core/import/errors.ts';
import {
  describeHsmKey,
  hsmKeyLabelFromDescription,
} from '../../../../src/core/import/key-material-description.ts';

// KMS's own rule for KeyMaterialDescription.
const KMS_PATTERN = /^[a-zA-Z0-9:/_\s.-]+$/;

describe('the KeyMaterialDescription that records the HSM key', () => {
  it.each([
    ['payments-2026', 'byok:hsm-key:payments-2026'],
    ['team/app.key_1', 'byok:hsm-key:team/app.key_1'],
  ])('writes the label %s as it is', (label, expected) => {
    // Act
    const description = describeHsmKey(label);

    // Assess
    expect(description).toBe(expected);
    expect(hsmKeyLabelFromDescription(description)).toBe(label);
  });

  it.each(['clé=α', 'a=b', ' padded ', 'x#1'])(
    'hex-encodes %j, which KMS would refuse, and reads it back exactly',
    (label) => {
      // Act
      const description = describeHsmKey(label);

      // Assess
      expect(description.startsWith('byok:hsm-key-hex:')).toBe(true);
      expect(description).toMatch(KMS_PATTERN);
      expect(hsmKeyLabelFromDescription(description)).toBe(label);
    },
  );

  it('refuses a label that cannot fit in 256 characters, by name', () => {
    // Act
    const record = () => describeHsmKey('é'.repeat(100));

    // Assess
    expect(record).toThrow(KeyMaterialDescriptionError);
  });

  it.each([undefined, '', 'hsm:payments', 'byok:hsm-key:', 'byok:hsm-key-hex:zz', 'byok:hsm-key-hex:abc'])(
    'reads no label from %j',
    (description) => {
      // Act
      const label = hsmKeyLabelFromDescription(description);

      // Assess
      expect(label).toBeUndefined();
    },
  );
});
