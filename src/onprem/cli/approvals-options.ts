// Options the approvals commands (rotate, approvals, approve, reject) share. Dependency-free, so the
// commands' registration stays cheap.
export interface ApprovalsEndpointOptions {
  /** The local stack (its approvals API is found at /_byok/approvals) or the API's own URL. */
  endpoint?: string;
  region?: string;
  json?: boolean;
}

export const APPROVALS_URL_ENV = 'BYOK_APPROVALS_URL';

export const ENDPOINT_HELP =
  'the local stack (its approvals API is found there) or the deployed approvals API URL ' +
  `(default: $${APPROVALS_URL_ENV})`;
