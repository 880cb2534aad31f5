// The CLI's own errors: user-facing failures of a command. report-error.ts prints each as one line
// `byok: <Name>: <message>` plus its `hint`.

import { ByokError } from '../../core/shared/errors.ts';
import { escapeUnprintable, quoteUntrusted } from '../../core/shared/text.ts';
import type { ExecutionResult } from '../runner/run-execution.ts';
import { awsCommand, type HintTarget } from './hints.ts';

/**
 * An option value with control or bidirectional-override characters. Raised instead of commander's
 * own error, which would print the value raw (and so let it rewrite the terminal line); this one
 * quotes it escaped.
 */
export class UnprintableOptionValueError extends ByokError {
  override readonly hint = 'type the value again without control characters';
  constructor(value: string) {
    super(
      `an option value must be printable text (no control or bidirectional-override characters): "${quoteUntrusted(value, 80)}"`,
    );
    this.name = 'UnprintableOptionValueError';
  }
}

/** The request could not be turned into a valid execution input. */
export class InvalidStartInputError extends ByokError {
  override readonly hint =
    'run byok start --help; the input schema is schemas/import-key-material.input.schema.json';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidStartInputError';
  }
}

/** Which state machine to start is unclear: none or several import-key-material machines. */
export class StateMachineNotFoundError extends ByokError {
  override readonly hint = 'pass --state-machine-arn (the stack output ImportKeyMaterialStateMachineArn)';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StateMachineNotFoundError';
  }
}

/** Nothing answers at the Step Functions endpoint. */
export class StepFunctionsUnreachableError extends ByokError {
  override readonly hint: string;
  constructor(message: string, hint: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StepFunctionsUnreachableError';
    this.hint = hint;
  }
}

/** The name is taken by an execution with a different input. */
export class ExecutionNameTakenError extends ByokError {
  override readonly hint = 'choose another --name, or leave it out for a name derived from the request';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExecutionNameTakenError';
  }
}

/**
 * `byok start` joined today's execution of the same request that had SUCCEEDED already, but KMS no
 * longer shows what it imported (the material was deleted, expired, or replaced since): its proof
 * is not the key's state now, and nothing was imported by this run.
 */
export class ImportResultStaleError extends ByokError {
  override readonly hint: string;
  constructor(executionArn: string, then: string, now: string, hint: string) {
    super(
      `${executionArn} imported this request earlier today (${then}), but KMS now shows ${now}: that proof no longer holds, and nothing was imported by this run`,
    );
    this.name = 'ImportResultStaleError';
    this.hint = hint;
  }
}

/**
 * The import execution ended in FAILED, TIMED_OUT or ABORTED. `details` are the lines under the
 * error: a failure event that could not be published, and whether KMS shows the key changed.
 */
export class ImportExecutionFailedError extends ByokError {
  readonly executionArn: string;
  readonly status: string;
  override readonly hint: string;
  override readonly details: string[];
  constructor(
    executionArn: string,
    status: string,
    error: string | undefined,
    cause: string | undefined,
    report: { details: string[]; hint: string } = { details: [], hint: '' },
    target: HintTarget = {},
  ) {
    // The error and cause are whoever failed the task's: kept on the line (the CLI prints this message).
    super(
      escapeUnprintable(
        `execution ${executionArn} ${status}${error ? `: ${error}` : ''}${cause ? `: ${cause}` : ''}`,
      ),
    );
    this.name = 'ImportExecutionFailedError';
    this.executionArn = executionArn;
    this.status = status;
    this.details = report.details;
    const history = awsCommand(
      target,
      'stepfunctions',
      'get-execution-history',
      '--execution-arn',
      executionArn,
    );
    this.hint = `${report.hint ? `${report.hint}; ` : ''}history: ${history}`;
  }
}

/** The local stack cannot be started or reached as asked. */
export class LocalEndpointError extends ByokError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, { ...options, hint });
    this.name = 'LocalEndpointError';
  }
}

/** Against AWS (no --endpoint) there must be a Region and credentials before anything runs. */
export class AwsSetupError extends ByokError {
  constructor(message: string, hint: string, options?: ErrorOptions) {
    super(message, { ...options, hint });
    this.name = 'AwsSetupError';
  }
}

/** --region names one Region and an ARN given another, or two ARNs name two Regions. */
export class RegionConflictError extends ByokError {
  override readonly hint: string;
  constructor(message: string, arnRegion: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegionConflictError';
    this.hint = `leave out --region (the ARN says ${arnRegion}), or give the ARN of the key in the Region you meant`;
  }
}

/** No Region from any source, against AWS: never a silent default. */
export class RegionMissingError extends ByokError {
  override readonly hint: string;
  constructor(message: string, profile = 'default', options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegionMissingError';
    this.hint = `pass --region, set AWS_REGION, or set the profile's region (aws configure set region <region> --profile ${profile}); --endpoint for the local stack`;
  }
}

/** --profile names a profile that neither ~/.aws/config nor ~/.aws/credentials has. */
export class ProfileNotFoundError extends ByokError {
  override readonly hint: string;
  readonly profile: string;
  constructor(profile: string, options?: ErrorOptions) {
    super(`profile ${profile} is in neither the shared config file nor the credentials file`, options);
    this.name = 'ProfileNotFoundError';
    this.profile = profile;
    this.hint = `list the profiles with aws configure list-profiles (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE say where the files are)`;
  }
}

/**
 * The workflow failed. Deliberately named after the error that stopped it (e.g. HsmKeyNotFoundError),
 * so the one line the user sees names the real cause, with that error's cause as the message.
 */
export class ImportFailedError extends ByokError {
  readonly executionArn: string;
  /** Lines under the error: a failure event not published, whether KMS shows the key changed. */
  declare readonly details: string[];
  constructor(result: ExecutionResult, hint?: string, details: string[] = []) {
    super(result.cause ?? `the import execution ended ${result.status}`, { hint, details });
    this.name = result.error ?? 'ImportFailedError';
    this.executionArn = result.executionArn;
  }
}

/**
 * The approvals API refused a call. Deliberately named after the API's error (SelfApprovalError,
 * DuplicateVoteError, RequestEndedError, ApprovalRequestNotFoundError, KeyNotEligibleError, ...), so
 * the one line the user sees names the rule that refused it.
 */
export class ApprovalRefusedError extends ByokError {
  readonly status: number;
  constructor(code: string, status: number, message: string, hint?: string, options?: ErrorOptions) {
    super(message, { ...options, hint });
    this.name = code;
    this.status = status;
  }
}

/** No approvals API to talk to: neither --endpoint nor BYOK_APPROVALS_URL. */
export class ApprovalsEndpointError extends ByokError {
  override readonly hint: string;
  constructor(message: string, hint: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApprovalsEndpointError';
    this.hint = hint;
  }
}

/** `byok rotate --wait`: the request ended without an approval (rejected, expired, cancelled). */
export class RotationNotApprovedError extends ByokError {
  readonly requestId: string;
  constructor(requestId: string, status: string, reason: string | undefined) {
    super(`request ${requestId} ended ${status}${reason ? `: ${reason}` : ''}`);
    this.name = 'RotationNotApprovedError';
    this.requestId = requestId;
  }
}

/**
 * Nothing listens where a command was pointed (ECONNREFUSED): raised by report-error.ts in place
 * of the raw `connect ECONNREFUSED 127.0.0.1:4599` an SDK client or fetch gives after its retries.
 */
export class ConnectionRefusedError extends ByokError {
  override readonly hint: string;
  constructor(
    readonly address: string,
    options?: ErrorOptions,
  ) {
    super(`nothing answers at ${address} (connection refused)`, options);
    this.name = 'ConnectionRefusedError';
    this.hint = /^(127\.|localhost|\[?::1)/.test(address)
      ? 'start the local stack with `byok local up` (it prints its URL), or check --endpoint'
      : 'check --endpoint and that the service runs and is reachable from here';
  }
}

/** The host a command was pointed at has no address (ENOTFOUND / EAI_AGAIN). */
export class UnknownHostError extends ByokError {
  override readonly hint =
    'check the host name in --endpoint (or the Region: AWS endpoints are named after it) and DNS';
  constructor(
    readonly host: string,
    options?: ErrorOptions,
  ) {
    super(`the host ${host} cannot be found`, options);
    this.name = 'UnknownHostError';
  }
}

/**
 * A call got no answer in time (the AWS SDK's TimeoutError after its retries, or a fetch's
 * deadline): raised by report-error.ts in place of the raw TimeoutError, saying what it waited for.
 */
export class NoAnswerError extends ByokError {
  override readonly hint =
    'check --endpoint (or the Region) and the network; BYOK_AWS_REQUEST_TIMEOUT_MS sets how long each AWS call may take (default 60000)';
  constructor(detail: string, options?: ErrorOptions) {
    super(`no answer in time: ${detail}`, options);
    this.name = 'NoAnswerError';
  }
}
