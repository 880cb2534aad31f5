// Pure rules of the rotation: the new HSM key's label (derived from the current label, the
// sequence and the request, within PKCS#11's 128 characters), the KeyMaterialDescription KMS
// accepts, and which outcome an error means for the abandon event.
import { describe, expect, it } from 'vitest';
import { hsmKeyLabelFromDescription } from '../../../../src/core/import/key-material-description.ts';
import { outcomeOf } from '../../../../src/core/rotation/abandon.ts';
import { keyMaterialDescription } from '../../../../src/core/rotation/material-description.ts';
import { newHsmKeyLabel } from '../../../../src/core/rotation/validate-rotation.ts';

const REQUEST = '3f2c9a1e-0000-4000-8000-000000000000';

describe('newHsmKeyLabel', () => {
  it('appends the sequence and the start of the request id', () => {
    // Act + Assess
    expect(newHsmKeyLabel('payments', 3, REQUEST)).toBe('payments-r3-3f2c9a1e');
  });

  it('cuts a long current label so the result stays within 128 characters and keeps its suffix', () => {
    // Act
    const label = newHsmKeyLabel('x'.repeat(200), 12, REQUEST);

    // Assess
    expect(label).toHaveLength(128);
    expect(label.endsWith('-r12-3f2c9a1e')).toBe(true);
  });
});

describe('keyMaterialDescription', () => {
  it.each([
    ['payments-r2-3f2c9a1e', 'byok:hsm-key:payments-r2-3f2c9a1e'],
    ['büro#1', 'byok:hsm-key-hex:62c3bc726f2331'],
  ])('describes %s as %s, within KMS pattern, and the sweep reads the label back', (label, expected) => {
    // Act
    const description = keyMaterialDescription(label);

    // Assess
    expect(description).toBe(expected);
    expect(description).toMatch(/^[a-zA-Z0-9:/_\s.-]{1,256}$/);
    expect(hsmKeyLabelFromDescription(description)).toBe(label);
  });
});

describe('outcomeOf', () => {
  it.each([
    ['ApprovalRejectedError', 'REJECTED'],
    ['States.Timeout', 'EXPIRED'],
    ['NotApprovedError', 'REFUSED'],
    ['RotationRequestNotRecordedError', 'REFUSED'],
    ['KeyNotRotatableError', 'REFUSED'],
    ['KMSInvalidStateException', 'FAILED'],
  ])('names %s %s', (error, outcome) => {
    // Act + Assess
    expect(outcomeOf(error)).toBe(outcome);
  });
});
