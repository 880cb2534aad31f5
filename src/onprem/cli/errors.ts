// The CLI's own errors: user-facing failures of a command. report-error.ts prints each as one line
// `byok: <Name>: <message>` plus its `hint`.

import { quoteUntrusted } from '../../core/shared/text.ts';
import type { ExecutionResult } from '../runner/run-execution.ts';

/**
 * An option value with control or bidirectional-override characters. Raised instead of commander's
 * own error, which would print the value raw (and so let it rewrite the terminal line); this one
 * quotes it escaped.
 */
export class UnprintableOptionValueError extends Error {
  readonly hint = 'type the value again without control characters';
  constructor(value: string) {
    super(
      `an option value must be printable text (no control or bidirectional-override characters): "${quoteUntrusted(value, 80)}"`,
    );
    this.name = 'UnprintableOptionValueError';
  }
}

/** The request could not be turned into a valid execution input. */
export class InvalidStartInputError extends Error {
  readonly hint = 'run byok start --help; the input schema is schemas/import-key-material.input.schema.json';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidStartInputError';
  }
}

/** Which state machine to start is unclear: none or several import-key-material machines. */
export class StateMachineNotFoundError extends Error {
  readonly hint = 'pass --state-machine-arn (the stack output ImportKeyMaterialStateMachineArn)';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StateMachineNotFoundError';
  }
}

/** Nothing answers at the Step Functions endpoint. */
export class StepFunctionsUnreachableError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StepFunctionsUnreachableError';
    this.hint = hint;
  }
}

/** The name is taken by an execution with a different input. */
export class ExecutionNameTakenError extends Error {
  readonly hint = 'choose another --name, or leave it out for a name derived from the request';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExecutionNameTakenError';
  }
}

/**
 * The import execution ended in FAILED, TIMED_OUT or ABORTED. `details` are the lines under the
 * error: a failure event that could not be published, and whether KMS shows the key changed.
 */
export class ImportExecutionFailedError extends Error {
  readonly executionArn: string;
  readonly status: string;
  readonly hint: string;
  readonly details: string[];
  constructor(
    executionArn: string,
    status: string,
    error: string | undefined,
    cause: string | undefined,
    report: { details: string[]; hint: string } = { details: [], hint: '' },
  ) {
    super(`execution ${executionArn} ${status}${error ? `: ${error}` : ''}${cause ? `: ${cause}` : ''}`);
    this.name = 'ImportExecutionFailedError';
    this.executionArn = executionArn;
    this.status = status;
    this.details = report.details;
    this.hint = `${report.hint ? `${report.hint}; ` : ''}history: aws stepfunctions get-execution-history --execution-arn ${executionArn}`;
  }
}

/** The local stack cannot be started or reached as asked. */
export class LocalEndpointError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'LocalEndpointError';
  }
}

/** Against AWS (no --endpoint) there must be a Region and credentials before anything runs. */
export class AwsSetupError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AwsSetupError';
    this.hint = hint;
  }
}

/**
 * The workflow failed. Deliberately named after the error that stopped it (e.g. HsmKeyNotFoundError),
 * so the one line the user sees names the real cause, with that error's cause as the message.
 */
export class ImportFailedError extends Error {
  readonly executionArn: string;
  readonly hint: string | undefined;
  /** Lines under the error: a failure event not published, whether KMS shows the key changed. */
  readonly details: string[];
  constructor(result: ExecutionResult, hint?: string, details: string[] = []) {
    super(result.cause ?? `the import execution ended ${result.status}`);
    this.name = result.error ?? 'ImportFailedError';
    this.executionArn = result.executionArn;
    this.hint = hint;
    this.details = details;
  }
}

/**
 * The approvals API refused a call. Deliberately named after the API's error (SelfApprovalError,
 * DuplicateVoteError, RequestEndedError, ApprovalRequestNotFoundError, KeyNotEligibleError, ...), so
 * the one line the user sees names the rule that refused it.
 */
export class ApprovalRefusedError extends Error {
  readonly hint: string | undefined;
  readonly status: number;
  constructor(code: string, status: number, message: string, hint?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = code;
    this.status = status;
    this.hint = hint;
  }
}

/** No approvals API to talk to: neither --endpoint nor BYOK_APPROVALS_URL. */
export class ApprovalsEndpointError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApprovalsEndpointError';
    this.hint = hint;
  }
}

/** `byok rotate --wait`: the request ended without an approval (rejected, expired, cancelled). */
export class RotationNotApprovedError extends Error {
  readonly requestId: string;
  constructor(requestId: string, status: string, reason: string | undefined) {
    super(`request ${requestId} ended ${status}${reason ? `: ${reason}` : ''}`);
    this.name = 'RotationNotApprovedError';
    this.requestId = requestId;
  }
}
