// The Start-an-import form's model: the execution input's fields (schemas/import-key-material.input
// .schema.json) with the labels a custodian reads, which ones are basic and which are folded away
// as advanced, each field's default said truthfully, and the conversions between the form's values
// and the execution input. Pure, so it is unit-tested; start.tsx renders it.
import type { KeyView } from '../wire.ts';

export type FieldName =
  | 'keyId'
  | 'hsmKeyLabel'
  | 'validForDays'
  | 'reason'
  | 'validTo'
  | 'noExpiry'
  | 'wrappingAlgorithm'
  | 'wrappingKeySpec'
  | 'keyMaterialId'
  | 'importReplicas';

export interface FieldSpec {
  name: FieldName;
  label: string;
  kind: 'key' | 'hsm-key' | 'text' | 'days' | 'date-time' | 'checkbox' | 'select';
  advanced: boolean;
  /** What happens when the field is left as it is. */
  defaultText: string;
  options?: { value: string; label: string }[];
}

export const START_FIELDS: readonly FieldSpec[] = [
  { name: 'keyId', label: 'KMS key', kind: 'key', advanced: false, defaultText: 'required' },
  {
    name: 'hsmKeyLabel',
    label: 'HSM key',
    kind: 'hsm-key',
    advanced: false,
    defaultText: "the key's byok:hsm-key-label tag",
  },
  {
    name: 'validForDays',
    label: 'Valid for (days)',
    kind: 'days',
    advanced: false,
    defaultText: "the key's byok:valid-for-days tag",
  },
  { name: 'reason', label: 'Reason', kind: 'text', advanced: false, defaultText: 'none recorded' },
  {
    name: 'validTo',
    label: 'Valid until (instead of days)',
    kind: 'date-time',
    advanced: true,
    defaultText: 'from the days above',
  },
  {
    name: 'noExpiry',
    label: 'Material never expires',
    kind: 'checkbox',
    advanced: true,
    defaultText: 'unchecked: the material expires',
  },
  {
    name: 'wrappingAlgorithm',
    label: 'Wrapping algorithm',
    kind: 'select',
    advanced: true,
    defaultText: "the key's byok:wrapping-algorithm tag, else the strongest the token allows",
    options: [
      { value: 'RSA_AES_KEY_WRAP_SHA_256', label: 'RSA-AES key wrap, SHA-256' },
      { value: 'RSAES_OAEP_SHA_256', label: 'RSA-OAEP, SHA-256' },
      { value: 'RSA_AES_KEY_WRAP_SHA_1', label: 'RSA-AES key wrap, SHA-1 (weaker)' },
      { value: 'RSAES_OAEP_SHA_1', label: 'RSA-OAEP, SHA-1 (weaker)' },
    ],
  },
  {
    name: 'wrappingKeySpec',
    label: 'Wrapping key size',
    kind: 'select',
    advanced: true,
    defaultText: 'RSA 4096',
    options: [
      { value: 'RSA_4096', label: 'RSA 4096' },
      { value: 'RSA_3072', label: 'RSA 3072' },
      { value: 'RSA_2048', label: 'RSA 2048' },
    ],
  },
  {
    name: 'keyMaterialId',
    label: 'Material to reimport (KeyMaterialId)',
    kind: 'text',
    advanced: true,
    defaultText: 'the material the HSM key holds',
  },
  {
    name: 'importReplicas',
    label: 'Also import into the replica Regions',
    kind: 'checkbox',
    advanced: true,
    defaultText: 'checked (a multi-Region primary only)',
  },
];

/** The form's state: text for text fields, booleans for checkboxes. */
export type StartFormValues = Partial<Record<FieldName, string | boolean>>;

/** Checkbox defaults as the workflow applies them: importReplicas is on unless turned off. */
const FORM_DEFAULTS: StartFormValues = { importReplicas: true, noExpiry: false };

/** The form for a key id from the URL (or none): always the defaults, with that key. */
export function initialValues(keyId?: string | undefined): StartFormValues {
  return keyId ? { ...FORM_DEFAULTS, keyId } : { ...FORM_DEFAULTS };
}

/**
 * The execution input: empty fields left out (the workflow's defaults apply), numbers parsed,
 * text trimmed, and a checkbox only when it differs from its default.
 */
export function formToInput(values: StartFormValues): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of START_FIELDS) {
    const value = values[field.name];
    if (field.kind === 'checkbox') {
      const checked = value === true;
      if (checked !== (FORM_DEFAULTS[field.name] === true)) input[field.name] = checked;
      continue;
    }
    if (typeof value !== 'string' || value.trim() === '') continue;
    const text = value.trim();
    input[field.name] = field.kind === 'days' && /^\d+$/.test(text) ? Number(text) : text;
  }
  return input;
}

/** The form's values for an execution input (to start again from a run's input). */
export function inputToForm(input: Record<string, unknown>): StartFormValues {
  const values: StartFormValues = { ...FORM_DEFAULTS };
  for (const field of START_FIELDS) {
    const value = input[field.name];
    if (value === undefined || value === null) continue;
    values[field.name] = field.kind === 'checkbox' ? value === true : String(value);
  }
  return values;
}

/** Field names in error messages (ajv, the server's zod issues) in the form's words. */
export function labelOf(name: string): string {
  return START_FIELDS.find((field) => field.name === name)?.label ?? name;
}

/**
 * The HSM key field for the chosen key: the HSM keys an administrator bound to it, the tagged one as
 * the default, and why the import would be refused when the one that would be used is not bound.
 * Free text where the bindings are not known (another key, or bindings the console cannot read).
 */
export type HsmKeyChoice =
  | { mode: 'text' }
  | {
      mode: 'select';
      /** The default option's words (the tagged HSM key, or that there is none). */
      defaultLabel: string;
      /** The other HSM keys bound to the key. */
      options: { value: string; label: string }[];
      /** Why an import with the chosen HSM key is refused (HsmKeyNotBoundError), if it is. */
      refusal: string | undefined;
    };

export function hsmKeyChoice(key: KeyView | undefined, picked: string): HsmKeyChoice {
  if (!key || key.binding.state === 'unknown') return { mode: 'text' };
  const tagged = key.hsmKeyLabel;
  const binding = key.binding;
  const options = binding.boundLabels
    .filter((label) => label !== tagged)
    .map((label) => ({ value: label, label: `${label} (bound to this key)` }));
  const defaultLabel = tagged
    ? `${tagged}, the key's byok:hsm-key-label tag${binding.state === 'bound' ? ', bound to this key' : ': not bound to this key'}`
    : 'none: the key has no byok:hsm-key-label tag';
  const used = picked || tagged;
  const bound =
    used !== null && (used === tagged ? binding.state === 'bound' : binding.boundLabels.includes(used));
  const fix = binding.detail ? ` An administrator binds it with \`${binding.detail}\`.` : '';
  const refusal = bound
    ? undefined
    : used
      ? `HSM key ${used} is not bound to this key: the import would be refused (HsmKeyNotBoundError).${
          options.length > 0 ? ' Choose an HSM key bound to it, or ask an administrator.' : fix
        }`
      : `No HSM key is bound to this key and it has no byok:hsm-key-label tag: there is nothing to import. An administrator binds one with \`byok bindings add\`.`;
  return { mode: 'select', defaultLabel, options, refusal };
}
