// Named errors of the local runner.
import { ByokError } from '../../core/shared/errors.ts';
export class StateMachineNotFoundError extends ByokError {
  readonly stateMachine: string;
  constructor(stateMachine: string, available: readonly string[], options?: ErrorOptions) {
    super(`no state machine "${stateMachine}" (available: ${available.join(', ') || 'none'})`, options);
    this.name = 'StateMachineNotFoundError';
    this.stateMachine = stateMachine;
  }
}

/** A Task resource the runner has neither a registered step function nor an integration for. */
export class UnsupportedTaskResourceError extends ByokError {
  readonly resource: string;
  constructor(stateName: string, resource: string, options?: ErrorOptions) {
    super(`state ${stateName}: no local function or integration for resource ${resource}`, options);
    this.name = 'UnsupportedTaskResourceError';
    this.resource = resource;
  }
}

/**
 * A Task failure as Step Functions sees it from a Lambda: an error name and a message, nothing
 * else (no cause chain, no stack), which is what the state machine's Retry/Catch match on.
 */
export class TaskFailure extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class LocalEndpointUnreachableError extends ByokError {
  override readonly hint =
    'start the local stack with `byok local up`, or pass the URL it printed with --endpoint';
  constructor(endpoint: string, options?: ErrorOptions) {
    super(`nothing answers at ${endpoint}`, options);
    this.name = 'LocalEndpointUnreachableError';
  }
}

/**
 * A stopped stack left this execution somewhere it cannot be resumed from: only a top-level Task
 * waiting for a task token by callback (`.waitForTaskToken`) is; anything else (a Lambda call, a
 * Wait, a Map iteration, an activity) would run again or lose its place.
 */
export class ExecutionNotResumableError extends ByokError {
  constructor(
    readonly stateName: string,
    options?: ErrorOptions,
  ) {
    super(
      `the execution cannot be resumed at state ${stateName}: a restart resumes only a top-level Task waiting for a task token (.waitForTaskToken)`,
      options,
    );
    this.name = 'ExecutionNotResumableError';
  }
}
