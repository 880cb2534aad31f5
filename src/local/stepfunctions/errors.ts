// Named errors of the local Step Functions API that are not AWS's own (those are AwsServiceError).
import { ByokError } from '../../core/shared/errors.ts';
export class LocalStepFunctionsError extends ByokError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalStepFunctionsError';
  }
}
