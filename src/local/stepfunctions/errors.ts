// Named errors of the local Step Functions API that are not AWS's own (those are AwsServiceError).
export class LocalStepFunctionsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalStepFunctionsError';
  }
}
