// Errors of building AWS clients (clients.ts).
import { ByokError, type ByokErrorOptions } from '../shared/errors.ts';

/** BYOK_AWS_REQUEST_TIMEOUT_MS holds something other than a whole number of milliseconds in range. */
export class AwsRequestTimeoutSettingError extends ByokError {
  constructor(
    readonly value: string,
    options?: ByokErrorOptions,
  ) {
    super(
      `BYOK_AWS_REQUEST_TIMEOUT_MS is ${JSON.stringify(value.slice(0, 40))}: not a whole number of milliseconds from 100 to 600000`,
      { hint: 'unset it (each AWS call then waits at most 60 s per attempt) or give e.g. 30000', ...options },
    );
    this.name = 'AwsRequestTimeoutSettingError';
  }
}
