// `byok worker`'s named errors. Those a task fails with reach the workflow under their class name
// (SendTaskFailure's error), so the ASL's Catch and the failure event name them; the others stop
// the worker at start with a one-line message and a hint. No message carries key material.
import { ByokError, type ByokErrorOptions } from '../../core/shared/errors.ts';

export class WorkerError extends ByokError {
  constructor(message: string, options?: ByokErrorOptions) {
    super(message, options);
    this.name = 'WorkerError';
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

/**
 * A task names an HSM key that looks like one a rotation of a bound KMS key makes
 * (`<label>-r<n>-<request>`), and this worker's journal does not show that it made that key for
 * that KMS key (and, to destroy it, for that request): it may be planted, or another request's.
 */
export class WorkerRotationKeyUnknownError extends WorkerError {
  readonly hsmKeyLabel: string;
  readonly keyId: string;
  constructor(hsmKeyLabel: string, keyId: string, reason: string) {
    super(`HSM key "${hsmKeyLabel}" for ${keyId}: ${reason}; nothing was done with it`, {
      hint: "the worker wraps or destroys a rotation's HSM key only when its journal shows it made that key; bind the key explicitly (--bind label=key-arn) if it is intended",
    });
    this.name = 'WorkerRotationKeyUnknownError';
    this.hsmKeyLabel = hsmKeyLabel;
    this.keyId = keyId;
  }
}

/** A task asks for SHA-1 wrapping and the worker was not started with --allow-sha1. */
export class WorkerSha1WrappingRefusedError extends WorkerError {
  readonly hsmKeyLabel: string;
  readonly keyId: string;
  constructor(hsmKeyLabel: string, keyId: string, algorithm: string) {
    super(
      `the task asks for ${algorithm} (SHA-1) wrapping of HSM key "${hsmKeyLabel}": nothing was wrapped`,
      {
        hint: 'SHA-1 wrapping is refused unless the worker is started with --allow-sha1 (only for an HSM without SHA-256 OAEP)',
      },
    );
    this.name = 'WorkerSha1WrappingRefusedError';
    this.hsmKeyLabel = hsmKeyLabel;
    this.keyId = keyId;
  }
}

/** The journal of the keys the worker made cannot be used (unsafe place, unreadable, corrupt). */
export class WorkerJournalError extends WorkerError {
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`the worker journal ${path} ${reason}`, {
      ...options,
      hint: "the journal must be a 0600 file of the worker's user in a directory only that user may write (--journal <file> to put it elsewhere); never edit it by hand",
    });
    this.name = 'WorkerJournalError';
  }
}

/** --heartbeat-interval does not fit the HeartbeatSeconds of the deployed activity states. */
export class WorkerHeartbeatIntervalError extends WorkerError {
  constructor(intervalSeconds: number, heartbeatSeconds: number, where: string) {
    super(
      `--heartbeat-interval ${intervalSeconds} is too long for HeartbeatSeconds ${heartbeatSeconds} (${where}): ` +
        `a task in hand would time out between heartbeats and be run twice`,
      {
        hint: `use --heartbeat-interval ${Math.max(1, Math.floor(heartbeatSeconds / 3))} (at most half of HeartbeatSeconds)`,
      },
    );
    this.name = 'WorkerHeartbeatIntervalError';
  }
}

/** Discovery could not reach Step Functions within --discovery-timeout. */
export class WorkerEndpointUnreachableError extends WorkerError {
  constructor(endpoint: string, seconds: number, reason: string, options?: ErrorOptions) {
    super(`cannot reach Step Functions at ${endpoint} after ${seconds} s (${reason})`, {
      ...options,
      hint: 'start the stack (byok local up --hsm-placement activity) or check --endpoint/--region and the network; --discovery-timeout <seconds> waits longer',
    });
    this.name = 'WorkerEndpointUnreachableError';
  }
}
