// The Start-an-import form's model (src/onprem/console/ui/start-form.ts): values <-> execution input.
import { describe, expect, it } from 'vitest';
import {
  formToInput,
  initialValues,
  inputToForm,
  labelOf,
  START_FIELDS,
} from '../../../../src/onprem/console/ui/start-form.ts';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('start form values and the execution input', () => {
  it('sends only the key for an untouched form: every default is the workflow’s own', () => {
    // Act / Assess
    expect(formToInput(initialValues(KEY))).toEqual({ keyId: KEY });
  });

  it('shows importReplicas checked by default, as the workflow defaults it, and sends it only when turned off', () => {
    // Prepare
    const values = initialValues(KEY);

    // Act
    const off = formToInput({ ...values, importReplicas: false });

    // Assess
    expect(values.importReplicas).toBe(true);
    expect(off).toEqual({ keyId: KEY, importReplicas: false });
  });

  it('parses days, trims text, and leaves empty fields out', () => {
    // Act
    const input = formToInput({
      ...initialValues(` ${KEY} `),
      validForDays: '30',
      hsmKeyLabel: '  payments  ',
      reason: '',
      wrappingKeySpec: 'RSA_2048',
      noExpiry: false,
    });

    // Assess
    expect(input).toEqual({
      keyId: KEY,
      validForDays: 30,
      hsmKeyLabel: 'payments',
      wrappingKeySpec: 'RSA_2048',
    });
  });

  it('keeps a non-number in days as text, so validation names it instead of dropping it', () => {
    // Act / Assess
    expect(formToInput({ keyId: KEY, validForDays: '3x' })).toMatchObject({ validForDays: '3x' });
  });

  it('reads an execution input back into the form', () => {
    // Prepare
    const input = { keyId: KEY, validForDays: 30, importReplicas: false, importType: 'NEW_KEY_MATERIAL' };

    // Act
    const values = inputToForm(input);

    // Assess
    expect(values).toMatchObject({
      keyId: KEY,
      validForDays: '30',
      importReplicas: false,
      importType: 'NEW_KEY_MATERIAL',
    });
    expect(formToInput(values)).toEqual(input);
  });

  it('starts a fresh form for every key id from the URL, never keeping the previous values', () => {
    // Act / Assess
    expect(initialValues('other')).toEqual({ importReplicas: true, noExpiry: false, keyId: 'other' });
    expect(initialValues()).not.toHaveProperty('keyId');
  });

  it('labels every field in words, folds the expert ones away, and offers enums as choices', () => {
    // Act
    const basic = START_FIELDS.filter((field) => !field.advanced).map((field) => field.name);

    // Assess
    expect(basic).toEqual(['keyId', 'hsmKeyLabel', 'validForDays', 'reason']);
    expect(START_FIELDS.every((field) => !/^[a-z]+[A-Z]/.test(field.label))).toBe(true);
    expect(START_FIELDS.filter((field) => field.kind === 'select').map((field) => field.name)).toEqual([
      'wrappingAlgorithm',
      'wrappingKeySpec',
      'importType',
    ]);
    expect(labelOf('validForDays')).toBe('Valid for (days)');
  });
});
