// What the local Step Functions API needs from whoever runs the executions to answer SendTask* and
// GetActivityTask: the task-token port. The runner's TaskTokenService (src/onprem/runner/tasks) has this
// shape; the stack's composer hands it in (attachLocalStepFunctions's `tasks`), so this module
// depends on no runner code. Answers are values: the API maps a refusal to AWS's error of that name.

export type TaskRefusal = 'TaskTimedOut' | 'InvalidToken' | 'TaskDoesNotExist' | 'InvalidOutput';

export type TaskAnswer = { accepted: true } | { accepted: false; error: TaskRefusal; message: string };

/** A task handed to one poller; `undelivered()` hands it back when the poller never got it. */
export interface ActivityTaskDelivery {
  task: { taskToken: string; input: string };
  undelivered(): void;
}

export interface TaskTokenPort {
  sendTaskSuccess(taskToken: string, outputText: string): TaskAnswer;
  sendTaskFailure(taskToken: string, error?: string | undefined, cause?: string | undefined): TaskAnswer;
  sendTaskHeartbeat(taskToken: string): TaskAnswer;
  /** Waits up to `waitMs` for a task of the activity; undefined when none came or `signal` aborted. */
  getActivityTask(
    activityArn: string,
    options: { waitMs: number; signal?: AbortSignal | undefined; workerName?: string | undefined },
  ): Promise<ActivityTaskDelivery | undefined>;
  /**
   * The tasks open now (a token handed out, an activity task queued or taken), by execution: an
   * execution with one waits for someone else (a vote, a worker), so nothing on the virtual clock
   * waits for it (StepFunctionsService.settled).
   */
  openTasks?(): ReadonlyArray<{ executionArn: string }>;
  /**
   * Callback tasks whose call went out (a vote request holds the token), with their tokens: the
   * API keeps them (sealed) in its journal so a restarted stack waits for the same tokens.
   */
  resumableTasks?(executionArn?: string): ReadonlyArray<ResumableTask>;
  /** Tells the API when an execution's callback task became resumable (so it saves it at once). */
  onResumable?(listener: (executionArn: string) => void): () => void;
  /** Callback tasks whose call has not returned yet (a stop waits for them, briefly). */
  callsInFlight?(): number;
  /** Opens again a callback task a stopped stack had out, under its token and deadline. */
  adoptCallbackTask?(task: ResumableTask): void;
}

/** A callback task waiting for its token's answer, as kept over a restart. */
export interface ResumableTask {
  executionArn: string;
  stateName: string;
  token: string;
  issuedAt: Date;
  deadline: Date;
  heartbeatSeconds?: number | undefined;
}
