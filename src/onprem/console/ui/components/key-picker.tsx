// A KMS key chosen from the managed keys by the name custodians know it by (alias or description,
// the id beside it), or another key typed as its id or ARN. Used by "Start an import" and "Request
// a rotation": both send the id or ARN, never an alias. A key the list has is chosen in the list;
// only the user's own choice of "Another key" shows the text field for it.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { KeyView } from '../../wire.ts';
import { keyDisplayName } from '../key-status.ts';

const OTHER_KEY = '__other__';

export function KeyPicker({
  id,
  name,
  label,
  keys,
  value,
  invalid = false,
  describedBy,
  onChange,
  children,
}: {
  id: string;
  name: string;
  /** The select's label (may hold the required marker). */
  label: ComponentChildren;
  keys: KeyView[] | undefined;
  value: string;
  invalid?: boolean;
  describedBy?: string | undefined;
  onChange: (keyId: string) => void;
  /** Help and errors, under the field. */
  children?: ComponentChildren;
}) {
  const listed = keys?.some((key) => key.keyId === value) ?? false;
  const [other, setOther] = useState(false);
  const choice = listed && !other ? value : value === '' && !other ? '' : OTHER_KEY;
  return (
    <div class={`field${invalid ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      <select
        id={id}
        name={name}
        value={choice}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        onChange={(event) => {
          const picked = event.currentTarget.value;
          setOther(picked === OTHER_KEY);
          if (picked !== OTHER_KEY) onChange(picked);
        }}
      >
        <option value="">{keys === undefined ? 'Loading the managed keys…' : 'Choose a managed key'}</option>
        {(keys ?? []).map((key) => (
          <option key={key.keyId} value={key.keyId}>
            {keyDisplayName(key) === key.keyId ? key.keyId : `${keyDisplayName(key)} (${key.keyId})`}
          </option>
        ))}
        <option value={OTHER_KEY}>Another key: enter its id or ARN</option>
      </select>
      {choice === OTHER_KEY && (
        <>
          <label for={`${id}-other`}>Key id or ARN</label>
          <input
            id={`${id}-other`}
            name={`${name}Other`}
            type="text"
            value={value}
            aria-invalid={invalid || undefined}
            onInput={(event) => onChange(event.currentTarget.value)}
          />
        </>
      )}
      {children}
    </div>
  );
}
