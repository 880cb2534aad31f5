// Options the approvals commands (rotate, approvals, approve, reject) share, on top of the AWS
// options and --output of ../aws-options.ts. Dependency-free, so the commands' registration stays
// cheap.
import type { Command } from 'commander';
import { addAwsOptions, addOutputOptions } from './aws-options.ts';
export interface ApprovalsEndpointOptions {
  /** The local stack (its approvals API is found at /_byok/approvals) or the API's own URL. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /** The profile whose credentials sign the calls (the caller's identity). */
  profile?: string | undefined;
  output?: 'table' | 'json' | undefined;
}

export const APPROVALS_URL_ENV = 'BYOK_APPROVALS_URL';

const ENDPOINT_HELP =
  'the local stack (its approvals API is found there) or the deployed approvals API URL ' +
  `(default: $${APPROVALS_URL_ENV})`;

/** --endpoint (the approvals API), --region, --profile and --output on an approvals command. */
export function addApprovalsOptions(command: Command, jsonHelp: string): Command {
  addAwsOptions(command, { endpointHelp: ENDPOINT_HELP });
  return addOutputOptions(command, jsonHelp);
}
