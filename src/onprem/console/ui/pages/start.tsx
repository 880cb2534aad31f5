// Start an import: the key chosen from the managed keys (by alias or description; another key by its
// id or ARN), the basics in a custodian's words, the expert fields folded away, each default said as
// the workflow applies it (start-form.ts). Validated in the page with the published schema (ajv,
// compiled at build time) and again by the server with the zod contract; a started run is followed
// live on its Run page. The page is re-created for every address, so `#/start?keyId=` always applies
// the URL's key to a fresh form.
import validateInput from 'byok-import-input-validator';
import { useState } from 'preact/hooks';
import type { ApiError, KeyView } from '../../wire.ts';
import { postJson, toApiError } from '../api.ts';
import { ErrorBox } from '../components/error-box.tsx';
import { KeyPicker } from '../components/key-picker.tsx';
import { useManagedKeys } from '../components/managed-keys.ts';
import { keyDisplayName } from '../key-status.ts';
import {
  type FieldName,
  type FieldSpec,
  formToInput,
  type HsmKeyChoice,
  hsmKeyChoice,
  initialValues,
  labelOf,
  START_FIELDS,
  type StartFormValues,
} from '../start-form.ts';

/** ajv's errors by field, in the form's words; errors about the whole object go under ''. */
function errorsByField(): Record<string, string[]> {
  const byField: Record<string, string[]> = {};
  for (const error of validateInput.errors ?? []) {
    const missing = error.keyword === 'required' ? String(error.params.missingProperty ?? '') : '';
    const field = missing || error.instancePath.replace(/^\//, '').split('/')[0] || '';
    const message =
      error.keyword === 'not'
        ? `choose at most one of ${labelOf('validForDays')}, ${labelOf('validTo')} and ${labelOf('noExpiry')}`
        : error.keyword === 'pattern' && field === 'keyId'
          ? 'a key id or key ARN (aliases are refused)'
          : error.keyword === 'required'
            ? 'required'
            : (error.message ?? error.keyword);
    const list = byField[field] ?? [];
    if (!list.includes(message)) list.push(message);
    byField[field] = list;
  }
  return byField;
}

function fieldId(name: FieldName): string {
  return `field-${name}`;
}

function FieldError({ name, errors }: { name: FieldName; errors: Record<string, string[]> }) {
  const list = errors[name] ?? [];
  return list.length > 0 ? (
    <p id={`${fieldId(name)}-error`} class="field-error">
      {list.join('; ')}
    </p>
  ) : null;
}

function describedBy(name: FieldName, errors: Record<string, string[]>): string {
  return [`${fieldId(name)}-help`, errors[name]?.length ? `${fieldId(name)}-error` : '']
    .filter(Boolean)
    .join(' ');
}

function KeyField({
  keys,
  value,
  errors,
  onChange,
}: {
  keys: KeyView[] | undefined;
  value: string;
  errors: Record<string, string[]>;
  onChange: (keyId: string) => void;
}) {
  return (
    <KeyPicker
      id={fieldId('keyId')}
      name="keyId"
      label={
        <>
          KMS key<span aria-hidden="true"> *</span>
          <span class="visually-hidden"> (required)</span>
        </>
      }
      keys={keys}
      value={value}
      invalid={(errors.keyId?.length ?? 0) > 0}
      describedBy={describedBy('keyId', errors)}
      onChange={onChange}
    >
      <p id={`${fieldId('keyId')}-help`} class="help">
        The key to import into (its id or ARN is sent, never an alias).
      </p>
      <FieldError name="keyId" errors={errors} />
    </KeyPicker>
  );
}

/** The HSM key: chosen from those bound to the key (hsmKeyChoice), else typed. */
function HsmKeyField({
  spec,
  choice,
  value,
  errors,
  onChange,
}: {
  spec: FieldSpec;
  choice: Extract<HsmKeyChoice, { mode: 'select' }>;
  value: string;
  errors: Record<string, string[]>;
  onChange: (name: FieldName, value: string) => void;
}) {
  const id = fieldId(spec.name);
  const invalid = (errors[spec.name]?.length ?? 0) > 0 || choice.refusal !== undefined;
  return (
    <div class={`field${invalid ? ' field-invalid' : ''}`}>
      <label for={id}>{spec.label}</label>
      <select
        id={id}
        name={spec.name}
        value={value}
        aria-describedby={[`${id}-help`, choice.refusal ? `${id}-refusal` : ''].filter(Boolean).join(' ')}
        aria-invalid={invalid || undefined}
        onChange={(event) => onChange(spec.name, event.currentTarget.value)}
      >
        <option value="">{choice.defaultLabel}</option>
        {choice.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <p id={`${id}-help`} class="help">
        Only an HSM key an administrator bound to this KMS key (<code>byok bindings add</code>) is imported.
      </p>
      {choice.refusal && (
        <p id={`${id}-refusal`} class="field-error" data-hsm-key-refusal>
          {choice.refusal}
        </p>
      )}
      <FieldError name={spec.name} errors={errors} />
    </div>
  );
}

function Field({
  spec,
  values,
  errors,
  defaultText,
  onChange,
}: {
  spec: FieldSpec;
  values: StartFormValues;
  errors: Record<string, string[]>;
  defaultText: string;
  onChange: (name: FieldName, value: string | boolean) => void;
}) {
  const id = fieldId(spec.name);
  const invalid = (errors[spec.name]?.length ?? 0) > 0;
  const common = {
    id,
    name: spec.name,
    'aria-describedby': describedBy(spec.name, errors),
    'aria-invalid': invalid || undefined,
  };
  const help = (
    <p id={`${id}-help`} class="help">
      Default: {defaultText}.
    </p>
  );
  if (spec.kind === 'checkbox') {
    return (
      <div class={`field field-boolean${invalid ? ' field-invalid' : ''}`}>
        <input
          {...common}
          type="checkbox"
          checked={values[spec.name] === true}
          onChange={(event) => onChange(spec.name, event.currentTarget.checked)}
        />
        <label for={id}>{spec.label}</label>
        {help}
        <FieldError name={spec.name} errors={errors} />
      </div>
    );
  }
  const value = String(values[spec.name] ?? '');
  return (
    <div class={`field${invalid ? ' field-invalid' : ''}`}>
      <label for={id}>{spec.label}</label>
      {spec.kind === 'select' ? (
        <select
          {...common}
          value={value}
          onChange={(event) => onChange(spec.name, event.currentTarget.value)}
        >
          <option value="">Default ({defaultText})</option>
          {(spec.options ?? []).map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      ) : spec.kind === 'days' ? (
        <input
          {...common}
          type="number"
          inputMode="numeric"
          min={1}
          max={365}
          value={value}
          onInput={(event) => onChange(spec.name, event.currentTarget.value)}
        />
      ) : (
        <input
          {...common}
          type="text"
          placeholder={spec.kind === 'date-time' ? '2027-06-30T00:00:00Z' : undefined}
          value={value}
          onInput={(event) => onChange(spec.name, event.currentTarget.value)}
        />
      )}
      {help}
      <FieldError name={spec.name} errors={errors} />
    </div>
  );
}

export function StartImportPage({ keyId }: { keyId?: string | undefined }) {
  const keys = useManagedKeys();
  const [values, setValues] = useState<StartFormValues>(initialValues(keyId));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [serverError, setServerError] = useState<ApiError | undefined>(undefined);
  const [submitting, setSubmitting] = useState(false);
  const chosen = keys?.find((key) => key.keyId === values.keyId);
  const hsmKey = hsmKeyChoice(chosen, String(values.hsmKeyLabel ?? ''));
  const refusal = hsmKey.mode === 'select' ? hsmKey.refusal : undefined;
  const advancedInvalid = START_FIELDS.some(
    (field) => field.advanced && (errors[field.name]?.length ?? 0) > 0,
  );

  const change = (name: FieldName, value: string | boolean) =>
    setValues((now) => ({ ...now, [name]: value }));
  const defaultFor = (spec: FieldSpec) =>
    spec.name === 'hsmKeyLabel' && chosen?.hsmKeyLabel
      ? `${chosen.hsmKeyLabel}, the key's byok:hsm-key-label tag`
      : spec.defaultText;

  const submit = async (event: Event) => {
    event.preventDefault();
    setServerError(undefined);
    if (refusal) {
      document.getElementById(fieldId('hsmKeyLabel'))?.focus();
      return;
    }
    const input = formToInput(values);
    if (!validateInput(input)) {
      const found = errorsByField();
      setErrors(found);
      const first = START_FIELDS.find((field) => found[field.name]);
      document.getElementById(first ? fieldId(first.name) : 'form-errors')?.focus();
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      const started = await postJson<{ executionArn: string }>('/api/imports', input);
      location.hash = `#/runs/${encodeURIComponent(started.executionArn)}`;
    } catch (error) {
      setServerError(toApiError(error));
    } finally {
      setSubmitting(false);
    }
  };

  const fields = (advanced: boolean) =>
    START_FIELDS.filter((spec) => spec.advanced === advanced && spec.kind !== 'key').map((spec) =>
      spec.kind === 'hsm-key' && hsmKey.mode === 'select' ? (
        <HsmKeyField
          key={spec.name}
          spec={spec}
          choice={hsmKey}
          value={String(values[spec.name] ?? '')}
          errors={errors}
          onChange={change}
        />
      ) : (
        <Field
          key={spec.name}
          spec={spec}
          values={values}
          errors={errors}
          defaultText={defaultFor(spec)}
          onChange={change}
        />
      ),
    );

  return (
    <>
      <h1 tabIndex={-1}>Start an import</h1>
      <p class="lead">
        Imports the HSM key's material into a KMS key and proves KMS holds it. Only the key is required: every
        other field says what happens when it is left as it is.
      </p>
      <form class="schema-form" onSubmit={submit} noValidate aria-describedby="form-errors">
        <KeyField
          keys={keys}
          value={String(values.keyId ?? '')}
          errors={errors}
          onChange={(id) =>
            // Another key has other HSM keys bound to it: its own default applies again.
            setValues((now) => ({ ...now, keyId: id, hsmKeyLabel: '' }))
          }
        />
        {fields(false)}
        <details class="advanced" open={advancedInvalid || undefined}>
          <summary>Advanced options</summary>
          <div class="advanced-fields">{fields(true)}</div>
        </details>
        <div id="form-errors" tabIndex={-1} role={errors[''] ? 'alert' : undefined}>
          {errors[''] && <p class="field-error">{errors[''].join('; ')}</p>}
        </div>
        {serverError && <ErrorBox error={serverError} title="The import did not start" />}
        <div class="actions">
          <button
            type="submit"
            class="primary"
            disabled={submitting || refusal !== undefined}
            aria-describedby={refusal ? `${fieldId('hsmKeyLabel')}-refusal` : undefined}
          >
            {submitting ? 'Starting…' : 'Start import'}
          </button>
        </div>
      </form>
    </>
  );
}
