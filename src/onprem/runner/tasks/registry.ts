// The task-token registry: every `.waitForTaskToken` and activity task of a run gets a token here,
// and the run's Task state awaits the token's outcome. A token resolves exactly once: the first of
// SendTaskSuccess, SendTaskFailure, its TimeoutSeconds, its HeartbeatSeconds without a heartbeat,
// or the end of its execution closes it; every later answer with it is refused as AWS refuses it
// (TaskTimedOut), a string that is no token at all gets InvalidToken, and a well-formed token this
// registry does not know (another stack, long forgotten) gets TaskDoesNotExist. Deadlines are on
// the run's clock through the TaskTimers port (the virtual clock locally).
import type { Clock } from '../../../core/clock.ts';
import { TaskFailure } from '../errors.ts';
import type { JsonValue } from '../types.ts';
import { InvalidTaskTimeoutError } from './errors.ts';
import type { TaskTimers } from './timers.ts';
import { isWellFormedTaskToken, newTaskToken } from './tokens.ts';

/** Step Functions' default TimeoutSeconds for a Task (about three years). */
const DEFAULT_TASK_TIMEOUT_SECONDS = 99_999_999;

export type TaskRefusal = 'TaskTimedOut' | 'InvalidToken' | 'TaskDoesNotExist' | 'InvalidOutput';

/** The answer to SendTaskSuccess/Failure/Heartbeat: accepted, or refused under AWS's error name. */
export type TaskAnswer = { accepted: true } | { accepted: false; error: TaskRefusal; message: string };

export interface IssueTaskOptions {
  executionArn: string;
  stateName: string;
  /** Whole seconds, at least 1 (default DEFAULT_TASK_TIMEOUT_SECONDS). Counted from issue. */
  timeoutSeconds?: number | undefined;
  /** Whole seconds, at least 1, below timeoutSeconds; absent means no heartbeat is required. */
  heartbeatSeconds?: number | undefined;
  /**
   * When the heartbeat clock starts: at issue (callback tasks: the token is out at once), or when
   * a worker takes the task (activities: `startHeartbeat`), so a task nobody has polled yet is
   * bounded by its TimeoutSeconds only.
   */
  heartbeatFrom?: 'issue' | 'start' | undefined;
}

export interface IssuedTask {
  token: string;
  /** Resolves with the output of SendTaskSuccess; rejects with a TaskFailure named as the state fails. */
  outcome: Promise<JsonValue>;
}

/** Why a token closed (`cancelled`: its execution ended or was stopped, or the service closed). */
export type TaskCloseReason = 'succeeded' | 'failed' | 'timed-out' | 'heartbeat-timed-out' | 'cancelled';

export interface OpenTaskView {
  executionArn: string;
  stateName: string;
  issuedAt: Date;
  deadline: Date;
  heartbeatDeadline?: Date | undefined;
}

/**
 * A callback task whose call went out (the function that holds the token ran): what a restarted
 * stack needs to wait for the same token again (see `adopt`). Carries the token: keep it sealed.
 */
export interface ResumableTask {
  executionArn: string;
  stateName: string;
  token: string;
  issuedAt: Date;
  deadline: Date;
  heartbeatSeconds?: number | undefined;
}

interface OpenTask {
  options: IssueTaskOptions;
  issuedAt: Date;
  deadline: Date;
  heartbeatDeadline?: Date | undefined;
  heartbeatRunning: boolean;
  /** A callback task whose call went out: resumable after a restart with the same token. */
  delivered: boolean;
  cancelTimeout: () => void;
  cancelHeartbeat: () => void;
  resolve(output: JsonValue): void;
  reject(failure: TaskFailure): void;
}

export interface TaskTokenRegistryOptions {
  clock: Clock;
  timers: TaskTimers;
  /** How many closed tokens are remembered for TaskTimedOut (default 10 000; older: TaskDoesNotExist). */
  rememberClosed?: number | undefined;
}

const NO_TASK_MESSAGE = "Task Timed Out: 'Provided task does not exist anymore'";

function checkSeconds(field: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 1 || value > DEFAULT_TASK_TIMEOUT_SECONDS) {
    throw new InvalidTaskTimeoutError(
      `${field} must be a whole number of seconds from 1 to 99999999, got ${value}`,
    );
  }
}

export class TaskTokenRegistry {
  private readonly open = new Map<string, OpenTask>();
  private readonly closed = new Map<string, TaskCloseReason>();
  private readonly closeListeners = new Set<(token: string, reason: TaskCloseReason) => void>();
  private readonly rememberClosed: number;

  constructor(private readonly options: TaskTokenRegistryOptions) {
    this.rememberClosed = options.rememberClosed ?? 10_000;
  }

  /** Opens a task: its token, and the outcome its Task state awaits. */
  issue(options: IssueTaskOptions): IssuedTask {
    checkSeconds('TimeoutSeconds', options.timeoutSeconds);
    checkSeconds('HeartbeatSeconds', options.heartbeatSeconds);
    const timeoutSeconds = options.timeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS;
    if (options.heartbeatSeconds !== undefined && options.heartbeatSeconds >= timeoutSeconds) {
      throw new InvalidTaskTimeoutError(
        `HeartbeatSeconds (${options.heartbeatSeconds}) must be smaller than TimeoutSeconds (${timeoutSeconds})`,
      );
    }
    const issuedAt = this.options.clock.now();
    return this.openTask(
      newTaskToken(),
      options,
      issuedAt,
      new Date(issuedAt.getTime() + timeoutSeconds * 1000),
    );
  }

  /**
   * Opens again, under the same token, a callback task a stopped stack had out (its deadline as it
   * was; one already past fires at once). The holder of the token (the approvals store) can then
   * answer it as if nothing had happened. Refuses a token that is open or malformed.
   */
  adopt(task: ResumableTask): IssuedTask {
    if (!isWellFormedTaskToken(task.token) || this.open.has(task.token)) {
      throw new InvalidTaskTimeoutError('the task token to adopt is malformed or already open');
    }
    checkSeconds('HeartbeatSeconds', task.heartbeatSeconds);
    const issued = this.openTask(
      task.token,
      {
        executionArn: task.executionArn,
        stateName: task.stateName,
        heartbeatSeconds: task.heartbeatSeconds,
      },
      task.issuedAt,
      task.deadline,
    );
    this.markDelivered(task.token);
    return issued;
  }

  /** The callback task's call went out with this token (it is resumable from now on). */
  markDelivered(token: string): void {
    const task = this.open.get(token);
    if (task) task.delivered = true;
  }

  /** The open callback tasks whose call went out, with their tokens (to keep them over a restart). */
  resumableTasks(executionArn?: string): ResumableTask[] {
    const found: ResumableTask[] = [];
    for (const [token, task] of this.open) {
      if (!task.delivered) continue;
      if (executionArn !== undefined && task.options.executionArn !== executionArn) continue;
      found.push({
        executionArn: task.options.executionArn,
        stateName: task.options.stateName,
        token,
        issuedAt: task.issuedAt,
        deadline: task.deadline,
        heartbeatSeconds: task.options.heartbeatSeconds,
      });
    }
    return found;
  }

  private openTask(token: string, options: IssueTaskOptions, issuedAt: Date, deadline: Date): IssuedTask {
    const timeoutSeconds = Math.max(0, Math.round((deadline.getTime() - issuedAt.getTime()) / 1000));
    const { promise, resolve, reject } = Promise.withResolvers<JsonValue>();
    // The outcome may settle before anyone awaits it (a timeout while the state is starting).
    promise.catch(() => undefined);
    const task: OpenTask = {
      options,
      issuedAt,
      deadline,
      heartbeatRunning: false,
      delivered: false,
      cancelTimeout: () => {},
      cancelHeartbeat: () => {},
      resolve,
      reject,
    };
    this.open.set(token, task);
    task.cancelTimeout = this.options.timers.schedule(deadline, () =>
      this.close(token, 'timed-out', (open) =>
        open.reject(
          new TaskFailure(
            'States.Timeout',
            `the task did not finish within TimeoutSeconds (${timeoutSeconds})`,
          ),
        ),
      ),
    );
    if (options.heartbeatFrom !== 'start') this.startHeartbeat(token);
    return { token, outcome: promise };
  }

  /** SendTaskSuccess: `outputText` must be a JSON text. */
  succeed(token: string, outputText: string): TaskAnswer {
    const found = this.find(token);
    if (!found.accepted) return found.answer;
    let output: JsonValue;
    try {
      output = JSON.parse(outputText) as JsonValue;
    } catch {
      return {
        accepted: false,
        error: 'InvalidOutput',
        message: "Invalid Output: 'the output is not a JSON text'",
      };
    }
    this.close(token, 'succeeded', (open) => open.resolve(output));
    return { accepted: true };
  }

  /** SendTaskFailure: the state fails with `error` as its name (what Retry/Catch match) and `cause`. */
  fail(token: string, error?: string | undefined, cause?: string | undefined): TaskAnswer {
    const found = this.find(token);
    if (!found.accepted) return found.answer;
    this.close(token, 'failed', (open) => open.reject(new TaskFailure(error ?? '', cause ?? '')));
    return { accepted: true };
  }

  /** SendTaskHeartbeat: restarts the heartbeat clock (accepted, and a no-op, without HeartbeatSeconds). */
  heartbeat(token: string): TaskAnswer {
    const found = this.find(token);
    if (!found.accepted) return found.answer;
    const task = found.task;
    if (task.heartbeatRunning) {
      task.cancelHeartbeat();
      task.heartbeatRunning = false;
      this.startHeartbeat(token);
    }
    return { accepted: true };
  }

  /** Starts the heartbeat clock of an open task (activities: when a worker takes it). */
  startHeartbeat(token: string): void {
    const task = this.open.get(token);
    const seconds = task?.options.heartbeatSeconds;
    if (!task || seconds === undefined || task.heartbeatRunning) return;
    task.heartbeatRunning = true;
    task.heartbeatDeadline = new Date(this.options.clock.now().getTime() + seconds * 1000);
    task.cancelHeartbeat = this.options.timers.schedule(task.heartbeatDeadline, () =>
      this.close(token, 'heartbeat-timed-out', (open) =>
        open.reject(
          new TaskFailure('States.HeartbeatTimeout', `no heartbeat within HeartbeatSeconds (${seconds})`),
        ),
      ),
    );
  }

  /** Stops the heartbeat clock again (an activity task handed back because its poller went away). */
  stopHeartbeat(token: string): void {
    const task = this.open.get(token);
    if (!task?.heartbeatRunning) return;
    task.cancelHeartbeat();
    task.heartbeatRunning = false;
    task.heartbeatDeadline = undefined;
  }

  /** Closes an open task without an outcome for anyone (its state is gone); later answers: TaskTimedOut. */
  cancel(token: string): void {
    this.close(token, 'cancelled', () => {});
  }

  /** Closes every open task of an execution (it ended or was stopped). */
  cancelExecution(executionArn: string): void {
    for (const [token, task] of [...this.open]) {
      if (task.options.executionArn === executionArn) this.cancel(token);
    }
  }

  isOpen(token: string): boolean {
    return this.open.has(token);
  }

  /** What is open, without the tokens (for status views and tests). */
  openTasks(): OpenTaskView[] {
    return [...this.open.values()].map((task) => ({
      executionArn: task.options.executionArn,
      stateName: task.options.stateName,
      issuedAt: task.issuedAt,
      deadline: task.deadline,
      heartbeatDeadline: task.heartbeatDeadline,
    }));
  }

  /** Called whenever a token closes, for any reason (the activity queue withdraws it). */
  onClose(listener: (token: string, reason: TaskCloseReason) => void): () => void {
    this.closeListeners.add(listener);
    return () => {
      this.closeListeners.delete(listener);
    };
  }

  /** Closes every open task; answers after this are TaskTimedOut. */
  closeAll(): void {
    for (const token of [...this.open.keys()]) this.cancel(token);
  }

  private find(token: string): { accepted: true; task: OpenTask } | { accepted: false; answer: TaskAnswer } {
    const task = this.open.get(token);
    if (task) return { accepted: true, task };
    if (!isWellFormedTaskToken(token)) {
      return {
        accepted: false,
        answer: { accepted: false, error: 'InvalidToken', message: "Invalid Token: 'Invalid token'" },
      };
    }
    if (this.closed.has(token)) {
      return {
        accepted: false,
        answer: { accepted: false, error: 'TaskTimedOut', message: NO_TASK_MESSAGE },
      };
    }
    return {
      accepted: false,
      answer: {
        accepted: false,
        error: 'TaskDoesNotExist',
        message: "Task Does Not Exist: 'Provided task does not exist'",
      },
    };
  }

  private close(token: string, reason: TaskCloseReason, settle: (task: OpenTask) => void): void {
    const task = this.open.get(token);
    if (!task) return;
    this.open.delete(token);
    task.cancelTimeout();
    task.cancelHeartbeat();
    this.closed.set(token, reason);
    if (this.closed.size > this.rememberClosed) {
      const oldest = this.closed.keys().next().value;
      if (oldest !== undefined) this.closed.delete(oldest);
    }
    settle(task);
    for (const listener of this.closeListeners) listener(token, reason);
  }
}
