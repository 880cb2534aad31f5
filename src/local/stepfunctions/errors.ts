// Named errors of the local Step Functions API that are not AWS's own (those are AwsServiceError).
import { ByokError } from '../../core/shared/errors.ts';
export class LocalStepFunctionsError extends ByokError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalStepFunctionsError';
  }
}

/**
 * Executions the stack could not write to its state dir (close() throws it, so that `byok local up`
 * never says "state saved" when some execution was not).
 */
export class LocalStateNotSavedError extends LocalStepFunctionsError {
  constructor(
    readonly executions: number,
    lastError: string,
  ) {
    super(
      `${executions} execution(s) could not be saved to the state dir (the last: ${lastError}); a restart will not find them as they were`,
    );
    this.name = 'LocalStateNotSavedError';
  }
}
