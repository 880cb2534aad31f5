// The Start-an-import form's model (src/onprem/console/ui/start-form.ts): values <-> execution input.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formToInput,
  hsmKeyChoice,
  initialValues,
  inputToForm,
  labelOf,
  START_FIELDS,
} from '../../../../src/onprem/console/ui/start-form.ts';
import type { KeyView } from '../../../../src/onprem/console/wire.ts';

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
    const input = { keyId: KEY, validForDays: 30, importReplicas: false, wrappingKeySpec: 'RSA_3072' };

    // Act
    const values = inputToForm(input);

    // Assess
    expect(values).toMatchObject({
      keyId: KEY,
      validForDays: '30',
      importReplicas: false,
      wrappingKeySpec: 'RSA_3072',
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
    ]);
    expect(labelOf('validForDays')).toBe('Valid for (days)');
  });

  it('offers only what the import workflow accepts: every field and every choice is in its published schema', () => {
    // Prepare: the schema StartExecution's input is checked against (additionalProperties: false).
    const schema = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '../../../../schemas/import-key-material.input.schema.json'),
        'utf8',
      ),
    ) as { properties: Record<string, { enum?: string[] }> };

    // Act
    const unknownFields = START_FIELDS.filter((field) => !(field.name in schema.properties)).map(
      (field) => field.name,
    );
    const unknownChoices = START_FIELDS.flatMap((field) =>
      (field.options ?? [])
        .filter((option) => !(schema.properties[field.name]?.enum ?? []).includes(option.value))
        .map((option) => `${field.name}=${option.value}`),
    );

    // Assess: importType (new material) is the rotation's alone; the form offered it and every such
    // start was refused.
    expect(unknownFields).toEqual([]);
    expect(unknownChoices).toEqual([]);
  });
});

describe('the HSM key field: chosen from the HSM keys bound to the key', () => {
  const bound = (labels: string[]) => ({
    state: 'bound' as const,
    boundLabels: labels,
    detail: null,
    boundElsewhere: null,
  });
  const add = `byok bindings add --hsm-key payments --key-id ${KEY} --endpoint http://127.0.0.1:4599`;
  const keyView = (overrides: Partial<KeyView> = {}): KeyView => ({
    keyId: KEY,
    keySpec: 'SYMMETRIC_DEFAULT',
    hsmKeyLabel: 'payments',
    keyState: 'Enabled',
    validTo: null,
    secondsLeft: null,
    withoutMaterial: true,
    nextDue: 'now',
    note: null,
    lastRun: null,
    materials: [],
    aliases: [],
    description: null,
    binding: bound(['payments']),
    ...overrides,
  });

  it('defaults to the tagged HSM key when it is bound, and offers the other bound ones', () => {
    // Act
    const choice = hsmKeyChoice(keyView({ binding: bound(['payments', 'payments-2']) }), '');

    // Assess
    expect(choice).toEqual({
      mode: 'select',
      defaultLabel: "payments, the key's byok:hsm-key-label tag, bound to this key",
      options: [{ value: 'payments-2', label: 'payments-2 (bound to this key)' }],
      refusal: undefined,
    });
  });

  it('says before anything starts that an unbound HSM key would be refused, with the administrator’s command', () => {
    // Act
    const choice = hsmKeyChoice(
      keyView({ binding: { state: 'unbound', boundLabels: [], detail: add, boundElsewhere: null } }),
      '',
    );

    // Assess
    expect(choice).toMatchObject({ mode: 'select', options: [] });
    expect(choice.mode === 'select' && choice.refusal).toBe(
      `HSM key payments is not bound to this key: the import would be refused (HsmKeyNotBoundError). An administrator binds it with \`${add}\`.`,
    );
  });

  it('lets a bound HSM key be chosen when the tagged one is not bound', () => {
    // Prepare
    const key = keyView({
      binding: { state: 'unbound', boundLabels: ['payments-2'], detail: add, boundElsewhere: null },
    });

    // Act
    const byDefault = hsmKeyChoice(key, '');
    const chosen = hsmKeyChoice(key, 'payments-2');

    // Assess
    expect(byDefault.mode === 'select' && byDefault.refusal).toMatch(/Choose an HSM key bound to it/);
    expect(chosen.mode === 'select' && chosen.refusal).toBeUndefined();
  });

  it('is free text where the bindings are not known: another key, or bindings the console cannot read', () => {
    // Act / Assess
    expect(hsmKeyChoice(undefined, '')).toEqual({ mode: 'text' });
    expect(
      hsmKeyChoice(
        keyView({ binding: { state: 'unknown', boundLabels: [], detail: 'no table', boundElsewhere: null } }),
        '',
      ),
    ).toEqual({ mode: 'text' });
  });
});
