// A form generated from a JSON Schema object (the published execution input schema): one labelled
// field per property, typed from the schema (enum -> select, integer -> number, boolean -> checkbox,
// date-time -> text with its format), its description as the field's help text.
import type { JSX } from 'preact';

export interface PropertySchema {
  type?: string;
  description?: string;
  enum?: string[];
  format?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
}

export interface ObjectSchema {
  title?: string;
  description?: string;
  properties: Record<string, PropertySchema>;
  required?: string[];
}

export type FormValues = Record<string, string | boolean>;

/** The form's values as the object the schema describes: empty fields left out, numbers parsed. */
export function valuesToInput(schema: ObjectSchema, values: FormValues): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    const value = values[name];
    if (value === undefined || value === '' || value === false) continue;
    if (property.type === 'integer' || property.type === 'number') {
      input[name] = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
    } else input[name] = typeof value === 'string' ? value.trim() : value;
  }
  return input;
}

function fieldId(name: string): string {
  return `field-${name}`;
}

export function SchemaFields({
  schema,
  values,
  errors,
  onChange,
}: {
  schema: ObjectSchema;
  values: FormValues;
  errors: Record<string, string[]>;
  onChange: (name: string, value: string | boolean) => void;
}) {
  return (
    <>
      {Object.entries(schema.properties).map(([name, property]) => {
        const id = fieldId(name);
        const help = `${id}-help`;
        const errorId = `${id}-error`;
        const fieldErrors = errors[name] ?? [];
        const required = schema.required?.includes(name) ?? false;
        const describedBy = [property.description ? help : '', fieldErrors.length ? errorId : '']
          .filter(Boolean)
          .join(' ');
        const common = {
          id,
          name,
          'aria-describedby': describedBy || undefined,
          'aria-invalid': fieldErrors.length > 0 ? true : undefined,
          required,
        };
        let control: JSX.Element;
        if (property.type === 'boolean') {
          control = (
            <input
              {...common}
              type="checkbox"
              checked={values[name] === true}
              onChange={(event) => onChange(name, event.currentTarget.checked)}
            />
          );
        } else if (property.enum) {
          control = (
            <select
              {...common}
              value={String(values[name] ?? '')}
              onChange={(event) => onChange(name, event.currentTarget.value)}
            >
              <option value="">(default)</option>
              {property.enum.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
          );
        } else if (property.type === 'integer') {
          control = (
            <input
              {...common}
              type="number"
              inputMode="numeric"
              min={property.minimum}
              max={property.maximum}
              value={String(values[name] ?? '')}
              onInput={(event) => onChange(name, event.currentTarget.value)}
            />
          );
        } else {
          control = (
            <input
              {...common}
              type="text"
              placeholder={property.format === 'date-time' ? '2027-06-30T00:00:00Z' : undefined}
              value={String(values[name] ?? '')}
              onInput={(event) => onChange(name, event.currentTarget.value)}
            />
          );
        }
        return (
          <div
            key={name}
            class={`field field-${property.type ?? 'string'}${fieldErrors.length ? ' field-invalid' : ''}`}
          >
            <label for={id}>
              {name}
              {required && <span aria-hidden="true"> *</span>}
              {required && <span class="visually-hidden"> (required)</span>}
            </label>
            {control}
            {property.description && (
              <p id={help} class="help">
                {property.description}
              </p>
            )}
            {fieldErrors.length > 0 && (
              <p id={errorId} class="field-error">
                {fieldErrors.join('; ')}
              </p>
            )}
          </div>
        );
      })}
    </>
  );
}
