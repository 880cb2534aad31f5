// `byok worker`'s named errors. Those a task fails with reach the workflow under their class name
// (SendTaskFailure's error), so the ASL's Catch and the failure event name them; the others stop
// the worker at start with a one-line message and a hint. No message carries key material.

export class WorkerError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, options?: ErrorOptions & { hint?: string }) {
    super(message, options);
    this.name = 'WorkerError';
    this.hint = options?.hint;
  }
}

/** The worker binds no HSM key to a KMS key and was not told it may wrap any (development only). */
export class WorkerBindingsMissingError extends WorkerError {
  constructor() {
    super('byok worker binds no HSM key to a KMS key: it would refuse every task', {
      hint: 'bind each HSM key to its KMS key ARN: --bind <hsm-key-label>=arn:aws:kms:<region>:<account>:key/<id> (repeatable) or --bindings <file>; only for development: --allow-any-key-for-development',
    });
    this.name = 'WorkerBindingsMissingError';
  }
}

/** A `--bind` value or bindings file the worker cannot use. */
export class InvalidWorkerBindingError extends WorkerError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, {
      ...options,
      hint: 'a binding is <hsm-key-label>=<KMS key ARN>; a bindings file is JSON: {"bindings": [{"hsmKeyLabel": "...", "kmsKeyArn": "arn:aws:kms:..."}]}',
    });
    this.name = 'InvalidWorkerBindingError';
  }
}

/**
 * A task asks to wrap an HSM key for a KMS key this worker does not bind it to. Whatever the AWS
 * side asks, the worker wraps only the pairings its own configuration names.
 */
export class WorkerKeyNotBoundError extends WorkerError {
  readonly hsmKeyLabel: string;
  readonly keyId: string;
  constructor(hsmKeyLabel: string, keyId: string, boundTo: string | undefined) {
    super(
      boundTo
        ? `this worker binds HSM key "${hsmKeyLabel}" to ${boundTo}, not to ${keyId}: nothing was wrapped`
        : `this worker binds no KMS key to HSM key "${hsmKeyLabel}" (asked for ${keyId}): nothing was wrapped`,
      {
        hint: 'add the pairing to the worker that holds this HSM key (--bind label=key-arn) if it is intended',
      },
    );
    this.name = 'WorkerKeyNotBoundError';
    this.hsmKeyLabel = hsmKeyLabel;
    this.keyId = keyId;
  }
}

/** KMS's answer to the worker's own GetParametersForImport does not agree with step 1's decision. */
export class WorkerImportParametersMismatchError extends WorkerError {
  constructor(message: string) {
    super(`the worker's own import parameters disagree with the workflow's: ${message}; nothing was wrapped`);
    this.name = 'WorkerImportParametersMismatchError';
  }
}

/** The task's input is not WrapKeyMaterial's input. */
export class WorkerTaskInputError extends WorkerError {
  constructor(issues: string[], step = 'WrapKeyMaterial') {
    super(`the task's input is not a ${step} input: ${issues.join('; ')}`);
    this.name = 'WorkerTaskInputError';
  }
}

/** Without --activity-arn: no activity, or more than one, has byok's wrap activity name. */
export class WrapActivityNotFoundError extends WorkerError {
  constructor(message: string) {
    super(message, {
      hint: 'pass --activity-arn (the stack output or `aws stepfunctions list-activities`), or deploy with hsmPlacement=activity / run byok local up --hsm-placement activity',
    });
    this.name = 'WrapActivityNotFoundError';
  }
}

/** A RetireRotationMaterial task names an HSM key that is not the key its rotation request made. */
export class WorkerRetireRefusedError extends WorkerError {
  readonly hsmKeyLabel: string;
  readonly keyId: string;
  constructor(hsmKeyLabel: string, keyId: string, requestId: string | null) {
    super(
      `HSM key "${hsmKeyLabel}" was not made by rotation request ${requestId ?? '(none)'}: nothing was destroyed`,
      { hint: 'the worker destroys only the key a rotation of a bound KMS key made (LABEL-r<n>-<request>)' },
    );
    this.name = 'WorkerRetireRefusedError';
    this.hsmKeyLabel = hsmKeyLabel;
    this.keyId = keyId;
  }
}

/** An activity task of a step this worker does not run. */
export class WorkerUnknownStepError extends WorkerError {
  constructor(step: string) {
    super(`this worker runs no HSM step "${step}"`);
    this.name = 'WorkerUnknownStepError';
  }
}
