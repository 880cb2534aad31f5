// Errors of the local stack's IAM roles (a template it cannot read, a bad role name). What goes on
// the wire (AccessDenied from STS or KMS) is AwsServiceError in ../protocol.ts.
import { ByokError } from '../../core/shared/errors.ts';

export class LocalIamError extends ByokError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LocalIamError';
  }
}
