// What to do about an error the console itself met (a failed run's hint is looked up by its error
// name in the one hint table, src/core/shared/hints.ts, by runs.ts directly).
import { hintForName } from '../../core/shared/hints.ts';

/** The hint for an error the console itself met: its own, else by its name (SDK set-up errors too). */
export function hintForError(error: Error): string | undefined {
  const own = (error as { hint?: unknown }).hint;
  if (typeof own === 'string' && own.length > 0) return own;
  if (/^Region (is missing|not accepted)/.test(error.message)) {
    return 'Restart the console with --region or AWS_REGION (or --endpoint for the local stack).';
  }
  return hintForName(error.name);
}
