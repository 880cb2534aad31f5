// Named errors of the runner's task-token machinery (programming and configuration mistakes; the
// answers to SendTask* are values, see TaskAnswer in registry.ts, because they go on the wire).
import { ByokError } from '../../../core/shared/errors.ts';

/** A `.waitForTaskToken` or activity state ran without a TaskTokenService in the runner's deps. */
export class TaskTokenServiceMissingError extends ByokError {
  override readonly hint =
    'pass a TaskTokenService as deps.tasks (src/onprem/runner/tasks), the same one the Step Functions API answers SendTask* with';
  constructor(stateName: string, resource: string, options?: ErrorOptions) {
    super(
      `state ${stateName} (${resource}) waits for a task token, but the run has no task-token service`,
      options,
    );
    this.name = 'TaskTokenServiceMissingError';
  }
}

/** A `.waitForTaskToken` resource whose base integration the runner does not have. */
export class UnsupportedCallbackResourceError extends ByokError {
  readonly resource: string;
  constructor(stateName: string, resource: string, options?: ErrorOptions) {
    super(
      `state ${stateName}: no local integration for ${resource.replace(/\.waitForTaskToken$/, '')}, so ${resource} cannot run`,
      options,
    );
    this.name = 'UnsupportedCallbackResourceError';
    this.resource = resource;
  }
}

/** TimeoutSeconds/HeartbeatSeconds (or their *Path value) that Step Functions would refuse. */
export class InvalidTaskTimeoutError extends ByokError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidTaskTimeoutError';
  }
}
