// The import-runs record's named errors: the record could not be written or read. Recording a run
// is best effort for `byok import` (the import's own outcome always wins); `byok status` and the
// console say the runs are unavailable instead of failing.
import { ByokError, type ByokErrorOptions } from '../../core/shared/errors.ts';

/** Base class: anything the import-runs record refuses or cannot do. */
export class ImportRunsError extends ByokError {
  constructor(message: string, options?: ByokErrorOptions) {
    super(message, options);
    this.name = 'ImportRunsError';
  }
}

/** The table that holds the runs cannot be reached or refused the call. */
export class ImportRunsUnavailableError extends ImportRunsError {
  constructor(where: string, options?: ByokErrorOptions) {
    super(`the import-runs record at ${where} cannot be used`, options);
    this.name = 'ImportRunsUnavailableError';
  }
}

/** A run to record does not match the record's schema (a bug in the caller, never user input). */
export class InvalidImportRunError extends ImportRunsError {
  constructor(problem: string, options?: ErrorOptions) {
    super(`invalid import run: ${problem}`, options);
    this.name = 'InvalidImportRunError';
  }
}
