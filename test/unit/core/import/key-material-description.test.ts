import { describe, expect, it } from 'vitest';
import { KeyMaterialDescriptionError } from '../../../../src/core/import/errors.ts';
import {
  checkValueFromDescription,
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

  it.each(['payments', 'pay/ments:r1 x', 'é-key'])(
    "records an AES material's check value in front of %j, and reads both back",
    (label) => {
      // Act
      const description = describeHsmKey(label, 'AB12CD');

      // Assess
      expect(description.startsWith('byok:kcv:ab12cd:hsm-key')).toBe(true);
      expect(description).toMatch(KMS_PATTERN);
      expect(hsmKeyLabelFromDescription(description)).toBe(label);
      expect(checkValueFromDescription(description)).toBe('ab12cd');
    },
  );

  it('leaves the check value out when it is not 6 hex digits or would not fit, never the label', () => {
    // Prepare: a label whose description alone takes 250 of the 256 characters.
    const long = 'k'.repeat(250 - 'byok:hsm-key:'.length);

    // Act / Assess
    expect(describeHsmKey('payments', 'xyz')).toBe('byok:hsm-key:payments');
    expect(describeHsmKey(long, 'ab12cd')).toBe(`byok:hsm-key:${long}`);
    expect(checkValueFromDescription('byok:hsm-key:payments')).toBeUndefined();
    expect(checkValueFromDescription('byok:kcv:ab12cd:other')).toBeUndefined();
  });
});
