// TaskTokenService: the one object a run's token states and the Step Functions API share. The
// runner opens callback and activity tasks on it (deps.tasks); the API answers SendTaskSuccess,
// SendTaskFailure, SendTaskHeartbeat and GetActivityTask with it. Built by whoever composes a run
// and an API (the local stack's composer, `byok local up`, tests), with the clock and timers of
// that world (DueTimers driven by the run's clock).
import type { Clock } from '../../../core/clock.ts';
import type { JsonValue } from '../types.ts';
import { type ActivityDelivery, ActivityTaskQueue, type TakeOptions } from './activities.ts';
import { type IssuedTask, type ResumableTask, type TaskAnswer, TaskTokenRegistry } from './registry.ts';
import { DueTimers, type TaskTimers } from './timers.ts';

export interface TaskTokenServiceOptions {
  clock: Clock;
  timers: TaskTimers;
  /** Closed tokens remembered for TaskTimedOut (default 10 000). */
  rememberClosed?: number | undefined;
  /** Called by close() (e.g. to detach the timers from the clock that drives them). */
  onClose?: (() => void) | undefined;
}

export interface TaskTimeouts {
  timeoutSeconds?: number | undefined;
  heartbeatSeconds?: number | undefined;
}

export interface CallbackTaskOptions extends TaskTimeouts {
  executionArn: string;
  stateName: string;
}

export interface ActivityTaskOptions extends CallbackTaskOptions {
  activityArn: string;
  /** The task's input, or a function of its token (for an input that carries `$$.Task.Token`). */
  input: JsonValue | ((taskToken: string) => JsonValue);
}

export class TaskTokenService {
  readonly registry: TaskTokenRegistry;
  readonly activities: ActivityTaskQueue;
  /** Tasks a restarted stack opened again, until the resumed run's state takes them. */
  private readonly adopted = new Map<string, IssuedTask>();
  private readonly resumableListeners = new Set<(executionArn: string) => void>();
  /** Callback tasks whose call (the function that takes the token) has not returned yet. */
  private readonly calling = new Set<string>();

  constructor(private readonly options: TaskTokenServiceOptions) {
    this.registry = new TaskTokenRegistry(options);
    this.activities = new ActivityTaskQueue({
      isOpen: (token) => this.registry.isOpen(token),
      onTaken: (task) => this.registry.startHeartbeat(task.taskToken),
      onReturned: (task) => this.registry.stopHeartbeat(task.taskToken),
    });
    this.registry.onClose((token) => {
      this.calling.delete(token);
      this.activities.withdraw(token);
    });
  }

  /** A `.waitForTaskToken` task: the token goes out with the state's call, the heartbeat clock runs at once. */
  startCallbackTask(options: CallbackTaskOptions): IssuedTask {
    const issued = this.registry.issue({ ...options, heartbeatFrom: 'issue' });
    this.calling.add(issued.token);
    return issued;
  }

  /**
   * How many callback tasks are between their token's issue and the end of their call: a stop
   * waits for these (the call may be handing the token to the approvals store) before it decides
   * which executions it can resume.
   */
  callsInFlight(): number {
    return this.calling.size;
  }

  /** An activity task: queued for the activity's pollers; its heartbeat clock starts when one takes it. */
  startActivityTask(options: ActivityTaskOptions): IssuedTask {
    const { activityArn, input, ...issue } = options;
    const issued = this.registry.issue({ ...issue, heartbeatFrom: 'start' });
    this.activities.enqueue({
      activityArn,
      taskToken: issued.token,
      input: JSON.stringify(typeof input === 'function' ? input(issued.token) : input),
    });
    return issued;
  }

  /**
   * The callback task's call went out (e.g. the approval request holds the token): from now on it
   * is resumable after a restart (`resumableTasks`), and listeners (the API's journal) are told.
   */
  callbackDelivered(token: string, executionArn: string): void {
    this.calling.delete(token);
    this.registry.markDelivered(token);
    for (const listener of this.resumableListeners) listener(executionArn);
  }

  /** The open callback tasks whose call went out, with their tokens (kept sealed over a restart). */
  resumableTasks(executionArn?: string): ResumableTask[] {
    return this.registry.resumableTasks(executionArn);
  }

  /** Called with the execution's ARN whenever one of its callback tasks becomes resumable. */
  onResumable(listener: (executionArn: string) => void): () => void {
    this.resumableListeners.add(listener);
    return () => {
      this.resumableListeners.delete(listener);
    };
  }

  /**
   * Opens again a callback task a stopped stack had out, under its token and deadline (a restarted
   * stack, before it resumes the execution): answers sent with the token are accepted from now on,
   * and the resumed run's state awaits the outcome (`takeAdopted`).
   */
  adoptCallbackTask(task: ResumableTask): void {
    this.adopted.set(task.token, this.registry.adopt(task));
  }

  /** The adopted task of this token, once (the resumed state awaits its outcome). */
  takeAdopted(token: string): IssuedTask | undefined {
    const issued = this.adopted.get(token);
    this.adopted.delete(token);
    return issued;
  }

  /** The execution ended or stopped: its open tasks close (later answers get TaskTimedOut). */
  cancelExecution(executionArn: string): void {
    this.registry.cancelExecution(executionArn);
  }

  sendTaskSuccess(taskToken: string, outputText: string): TaskAnswer {
    return this.registry.succeed(taskToken, outputText);
  }

  sendTaskFailure(taskToken: string, error?: string | undefined, cause?: string | undefined): TaskAnswer {
    return this.registry.fail(taskToken, error, cause);
  }

  sendTaskHeartbeat(taskToken: string): TaskAnswer {
    return this.registry.heartbeat(taskToken);
  }

  /** Long-polls one activity; see ActivityTaskQueue.take. */
  getActivityTask(activityArn: string, options: TakeOptions): Promise<ActivityDelivery | undefined> {
    return this.activities.take(activityArn, options);
  }

  /** What is open, without the tokens (the local API's `settled` reads whose executions wait). */
  openTasks(): ReadonlyArray<{ executionArn: string; stateName: string }> {
    return this.registry.openTasks();
  }

  /** Ends waiting polls and closes every open task. */
  close(): void {
    this.adopted.clear();
    this.calling.clear();
    this.activities.close();
    this.registry.closeAll();
    this.options.onClose?.();
  }
}

/** A clock that fires registered timer sources (the local stack's VirtualClock, structurally). */
export interface TimerDrivingClock extends Clock {
  addTimerSource(source: { nextDue(): Date | undefined; fire(now: Date): Promise<void> }): () => void;
}

/**
 * A TaskTokenService whose deadlines `clock` drives (advancing the virtual clock past a
 * HeartbeatSeconds fires it at its instant). `close()` closes the service and detaches its timers.
 */
export function createTaskTokenServiceOn(clock: TimerDrivingClock): TaskTokenService {
  const timers = new DueTimers();
  const detach = clock.addTimerSource(timers);
  return new TaskTokenService({ clock, timers, onClose: detach });
}
