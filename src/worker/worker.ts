// `byok worker`'s loop: N pollers long-poll GetActivityTask on the wrap activity, each runs the task
// it gets (src/worker/wrap-task.ts) while heartbeating, and answers SendTaskSuccess, or
// SendTaskFailure with the error's name and message (never material). AWS or network failures are
// retried with full-jitter backoff. stop(): no new polls; a poll in flight is still answered (a task
// it brings is done, so none is lost) and every task in hand finishes. abort(): polls end now.
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  GetActivityTaskCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { WrapKeyMaterialInput } from '../import/contracts.ts';
import { publishRefusedTask } from './alerts.ts';
import { type BackoffOptions, DEFAULT_BACKOFF, fullJitterDelayMs, sleep } from './backoff.ts';
import { WorkerKeyNotBoundError } from './errors.ts';
import { parseWrapTaskInput, runWrapTask, type WrapTaskDeps } from './wrap-task.ts';

/** One line per task: what was done, for which execution and key, how it ended, how long it took. */
export interface TaskLogLine {
  time: string;
  worker: string;
  execution: string | undefined;
  keyId: string | undefined;
  hsmKeyLabel: string | undefined;
  outcome: 'succeeded' | 'failed' | 'refused' | 'answer-refused';
  error?: string | undefined;
  durationMs: number;
}

export interface WorkerOptions {
  activityArn: string;
  workerName: string;
  concurrency: number;
  /** How often a task in hand is heartbeaten (well within the state's HeartbeatSeconds). */
  heartbeatIntervalMs: number;
  backoff?: BackoffOptions | undefined;
}

export interface WorkerDeps extends WrapTaskDeps {
  sfn: SFNClient;
  events: EventBridgeClient;
  /** The per-task JSON line (stdout in the CLI). */
  logTask(line: TaskLogLine): void;
  /** Operational notes: reconnects, heartbeat failures (stderr in the CLI). */
  note(message: string, fields?: Record<string, unknown>): void;
}

const MAX_ERROR_LENGTH = 256;
const MAX_CAUSE_LENGTH = 32_768;
const ANSWER_ATTEMPTS = 6;

export class ActivityWorker {
  private stopping = false;
  private readonly hardStop = new AbortController();
  private running: Promise<void> | undefined;
  /** Tasks completed by this worker (any outcome). */
  tasksDone = 0;

  constructor(
    private readonly options: WorkerOptions,
    private readonly deps: WorkerDeps,
  ) {}

  /** Starts the pollers; the promise settles when all have stopped. */
  run(): Promise<void> {
    this.running ??= Promise.all(
      Array.from({ length: this.options.concurrency }, (_, slot) => this.poller(slot)),
    ).then(() => undefined);
    return this.running;
  }

  /** Graceful: stop polling once the polls in flight are answered; finish the tasks in hand. */
  stop(): void {
    this.stopping = true;
  }

  /** Immediate: abort polls in flight too (tasks in hand still finish). */
  abort(): void {
    this.stopping = true;
    this.hardStop.abort();
  }

  private async poller(slot: number): Promise<void> {
    let failures = 0;
    const workerName = `${this.options.workerName}-${slot}`.slice(0, 80);
    while (!this.stopping) {
      let task: { taskToken?: string | undefined; input?: string | undefined };
      try {
        task = await this.deps.sfn.send(
          new GetActivityTaskCommand({ activityArn: this.options.activityArn, workerName }),
          { abortSignal: this.hardStop.signal },
        );
        failures = 0;
      } catch (error) {
        if (this.hardStop.signal.aborted) break;
        failures += 1;
        const waitMs = fullJitterDelayMs(failures, this.options.backoff ?? DEFAULT_BACKOFF);
        this.deps.note('GetActivityTask failed; reconnecting', {
          error: nameOf(error),
          reason: messageOf(error),
          attempt: failures,
          waitMs,
        });
        await sleep(waitMs, this.hardStop.signal);
        continue;
      }
      if (task.taskToken) await this.handle(task.taskToken, task.input ?? '');
    }
  }

  private async handle(taskToken: string, inputText: string): Promise<void> {
    const started = performance.now();
    const heartbeat = setInterval(() => {
      this.deps.sfn.send(new SendTaskHeartbeatCommand({ taskToken })).catch((error: unknown) => {
        this.deps.note('SendTaskHeartbeat failed', { error: nameOf(error), reason: messageOf(error) });
      });
    }, this.options.heartbeatIntervalMs);
    let input: WrapKeyMaterialInput | undefined;
    let line: Omit<TaskLogLine, 'time' | 'worker' | 'durationMs'>;
    try {
      input = parseWrapTaskInput(inputText);
      const output = await runWrapTask(input, this.deps);
      const accepted = await this.answer(
        new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }),
      );
      line = { ...idsOf(input), outcome: accepted ? 'succeeded' : 'answer-refused' };
    } catch (error) {
      const name = nameOf(error);
      if (error instanceof WorkerKeyNotBoundError) await this.alert(error, input);
      const accepted = await this.answer(
        new SendTaskFailureCommand({
          taskToken,
          error: name.slice(0, MAX_ERROR_LENGTH),
          cause: messageOf(error).slice(0, MAX_CAUSE_LENGTH),
        }),
      );
      line = {
        ...idsOf(input),
        outcome: !accepted
          ? 'answer-refused'
          : error instanceof WorkerKeyNotBoundError
            ? 'refused'
            : 'failed',
        error: name,
      };
    } finally {
      clearInterval(heartbeat);
    }
    this.tasksDone += 1;
    this.deps.logTask({
      time: new Date().toISOString(),
      worker: this.options.workerName,
      ...line,
      durationMs: Math.round(performance.now() - started),
    });
  }

  /**
   * Sends the answer, retrying network and AWS failures with backoff. False when Step Functions
   * refuses it (the task timed out or is gone: the workflow has moved on).
   */
  private async answer(command: SendTaskSuccessCommand | SendTaskFailureCommand): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.deps.sfn.send(command as SendTaskSuccessCommand);
        return true;
      } catch (error) {
        const name = nameOf(error);
        if (name === 'TaskTimedOut' || name === 'TaskDoesNotExist' || name === 'InvalidToken') return false;
        if (attempt >= ANSWER_ATTEMPTS) {
          this.deps.note('giving up on answering the task', { error: name, reason: messageOf(error) });
          return false;
        }
        await sleep(fullJitterDelayMs(attempt, this.options.backoff ?? DEFAULT_BACKOFF));
      }
    }
  }

  private async alert(error: WorkerKeyNotBoundError, input: WrapKeyMaterialInput | undefined): Promise<void> {
    try {
      await publishRefusedTask(this.deps.events, {
        worker: this.options.workerName,
        executionId: input?.executionId,
        keyId: error.keyId,
        hsmKeyLabel: error.hsmKeyLabel,
        error: error.name,
        message: error.message,
      });
    } catch (publishError) {
      this.deps.note('could not publish the refused-task alert', {
        error: nameOf(publishError),
        reason: messageOf(publishError),
      });
    }
  }
}

function idsOf(input: WrapKeyMaterialInput | undefined) {
  return {
    execution: input?.executionId,
    keyId: input?.importParameters.keyId,
    hsmKeyLabel: input?.importParameters.hsmKeyLabel,
  };
}

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
