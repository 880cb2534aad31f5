// A failed API call or run, by name, with its message and hint.
import type { ApiError } from '../../wire.ts';

export function ErrorBox({ error, title }: { error: ApiError; title?: string }) {
  return (
    <div class="error-box" role="alert">
      <p>
        <strong>{title ?? 'Error'}:</strong> <code class="error-name">{error.error}</code>
      </p>
      {error.message && <p class="error-message">{error.message}</p>}
      {error.issues && error.issues.length > 0 && (
        <ul>
          {error.issues.map((issue) => (
            <li key={issue}>{issue}</li>
          ))}
        </ul>
      )}
      {error.hint && <p class="hint">Hint: {error.hint}</p>}
    </div>
  );
}
