// The sweep's named errors. A handler error surfaces in the sweep state machine under its class
// name; messages are written for the operator and never contain key material.
import { ByokError, type ByokErrorOptions } from '../shared/errors.ts';

/** Base class for everything the sweep rejects on purpose. */
export class SweepError extends ByokError {
  constructor(message: string, options?: ByokErrorOptions) {
    super(message, options);
    this.name = 'SweepError';
  }
}

/** The sweep's execution input (or a state's input) does not match its schema. */
export class InvalidSweepInputError extends SweepError {
  readonly issues: string[];
  constructor(issues: string[], options?: ErrorOptions) {
    super(`invalid sweep input: ${issues.join('; ')}`, options);
    this.name = 'InvalidSweepInputError';
    this.issues = issues;
  }
}

/** deploy/event-rules.json is missing, unreadable or not in the documented shape. */
export class EventRulesDefinitionError extends SweepError {
  readonly file: string;
  constructor(file: string, message: string, options?: ErrorOptions) {
    super(`${file}: ${message}`, { ...options, hint: 'see docs/scheduling.md for the shape of each rule' });
    this.name = 'EventRulesDefinitionError';
    this.file = file;
  }
}
