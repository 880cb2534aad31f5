// What to do about a failed run, by the error's name. A state machine's failure carries only the
// error name and its message (the cause); the hint that the thrown error had stays in the Lambda,
// so the console looks it up by name in the one hint table (src/core/shared/hints.ts), as `byok
// import` does for its one-line report.
import { hintForName } from '../../core/shared/hints.ts';

export function hintFor(errorName: string | undefined | null): string | undefined {
  return hintForName(errorName);
}

/** The hint for an error the console itself met: its own, else by its name (SDK set-up errors too). */
export function hintForError(error: Error): string | undefined {
  const own = (error as { hint?: unknown }).hint;
  if (typeof own === 'string' && own.length > 0) return own;
  if (/^Region (is missing|not accepted)/.test(error.message)) {
    return 'Restart the console with --region or AWS_REGION (or --endpoint for the local stack).';
  }
  return hintForName(error.name);
}
