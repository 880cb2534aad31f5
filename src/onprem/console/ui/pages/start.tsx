// Start an import: a form generated from schemas/import-key-material.input.schema.json, validated
// in the page with that schema (ajv, compiled at build time) and again by the server with the zod
// contract; a started run is followed live on its Run page.
import validateInput from 'byok-import-input-validator';
import { useState } from 'preact/hooks';
import inputSchema from '../../../../../schemas/import-key-material.input.schema.json' with { type: 'json' };
import { postJson } from '../api.ts';
import { ErrorBox, toApiError } from '../components/error-box.tsx';
import {
  type FormValues,
  type ObjectSchema,
  SchemaFields,
  valuesToInput,
} from '../components/schema-form.tsx';
import type { ApiError } from '../types.ts';

const schema = inputSchema as unknown as ObjectSchema;

/** ajv's errors by field; errors about the whole object go under ''. */
export function errorsByField(): Record<string, string[]> {
  const byField: Record<string, string[]> = {};
  for (const error of validateInput.errors ?? []) {
    const missing = error.keyword === 'required' ? String(error.params.missingProperty ?? '') : '';
    const field = missing || error.instancePath.replace(/^\//, '').split('/')[0] || '';
    const message =
      error.keyword === 'not'
        ? 'choose at most one of validForDays, validTo and noExpiry'
        : error.keyword === 'pattern' && field === 'keyId'
          ? 'a key id or key ARN (aliases are refused)'
          : (error.message ?? error.keyword);
    const list = byField[field] ?? [];
    if (!list.includes(message)) list.push(message);
    byField[field] = list;
  }
  return byField;
}

export function StartImportPage({ keyId }: { keyId?: string | undefined }) {
  const [values, setValues] = useState<FormValues>(keyId ? { keyId } : {});
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [serverError, setServerError] = useState<ApiError | undefined>(undefined);
  const [submitting, setSubmitting] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setServerError(undefined);
    const input = valuesToInput(schema, values);
    if (!validateInput(input)) {
      const found = errorsByField();
      setErrors(found);
      const first = Object.keys(found).find((field) => field !== '');
      document.getElementById(first ? `field-${first}` : 'form-errors')?.focus();
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

  return (
    <>
      <h1 tabIndex={-1}>Start an import</h1>
      <p class="lead">
        Starts the import state machine for one KMS key. Only <code>keyId</code> is required: the HSM key, the
        validity and the wrapping algorithm default to the key's byok tags.
      </p>
      <form class="schema-form" onSubmit={submit} noValidate aria-describedby="form-errors">
        <SchemaFields
          schema={schema}
          values={values}
          errors={errors}
          onChange={(name, value) => setValues({ ...values, [name]: value })}
        />
        <div id="form-errors" tabIndex={-1} role={errors[''] ? 'alert' : undefined}>
          {errors[''] && <p class="field-error">{errors[''].join('; ')}</p>}
        </div>
        {serverError && <ErrorBox error={serverError} title="The import did not start" />}
        <div class="actions">
          <button type="submit" class="primary" disabled={submitting}>
            {submitting ? 'Starting…' : 'Start import'}
          </button>
        </div>
      </form>
    </>
  );
}
