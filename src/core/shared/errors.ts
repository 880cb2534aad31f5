// The root of every error byok raises on purpose. Each module's errors.ts has its own base class
// (ImportError, HsmError, WorkerError, …) extending this one, and each named error a class whose
// `name` is the class name, matched with instanceof. A ByokError carries what a person needs next:
// a `hint` (a command to run, a setting to check) and optional `details` lines; where an error has
// no hint of its own, the CLI and the console take the one the hint table (hints.ts) has for its
// name. Neither ever holds key material.

export interface ByokErrorOptions extends ErrorOptions {
  /** What to do about it. */
  hint?: string | undefined;
  /** More lines of context, printed under the error by the CLI. */
  details?: readonly string[] | undefined;
}

export class ByokError extends Error {
  readonly hint: string | undefined;
  readonly details: readonly string[] | undefined;

  constructor(message: string, options?: ByokErrorOptions) {
    super(message, options);
    this.name = 'ByokError';
    this.hint = options?.hint;
    this.details = options?.details;
  }
}
