// `byok worker`'s loop: N pollers per HSM activity (wrap, create/retire rotation material) long-poll
// GetActivityTask, each runs the task it gets (src/onprem/worker/wrap-task.ts, src/onprem/worker/rotation-tasks.ts,
// chosen by the activity's step) while heartbeating, and answers SendTaskSuccess, or
// SendTaskFailure with the error's name and message (never material). Every task input is bounded
// (./task-inputs.ts) before any of it is logged; a refused task (unbound pairing, a rotation key the
// journal does not show, SHA-1 not allowed, input out of bounds, material KMS does not prove unused)
// raises the refused-task alert. AWS or network failures are retried with full-jitter backoff.
// stop(): no new polls; a poll in flight is still answered (a task it brings is done, so none is
// lost) and every task in hand finishes. abort(): polls end now. activity(): what is in flight.
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  GetActivityTaskCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { RotationMaterialInUseError, RotationMaterialUnprovenError } from '../../core/rotation/errors.ts';
import type { RotationHsmDeps } from '../../core/rotation/hsm-material.ts';
import { publishRefusedTask } from './alerts.ts';
import { type BackoffOptions, DEFAULT_BACKOFF, fullJitterDelayMs, sleep } from './backoff.ts';
import {
  WorkerKeyNotBoundError,
  WorkerRetireRefusedError,
  WorkerRotationKeyUnknownError,
  WorkerSha1WrappingRefusedError,
  WorkerTaskInputError,
  WorkerUnknownStepError,
} from './errors.ts';
import {
  parseCreateRotationMaterialTask,
  parseRetireRotationMaterialTask,
  type RotationTaskDeps,
  runCreateRotationMaterialTask,
  runRetireRotationMaterialTask,
} from './rotation-tasks.ts';
import { parseWrapTaskInput, runWrapTask, type WrapTaskDeps } from './wrap-task.ts';

/** An HSM activity this worker polls, and the step (statemachines/hsm-placement.json) it runs. */
export interface HsmActivity {
  step: string;
  activityArn: string;
}

/** What a task is about, for the log line and the alert. */
interface TaskIds {
  execution: string | undefined;
  keyId: string | undefined;
  hsmKeyLabel: string | undefined;
}

/** One line per task: what was done, for which execution and key, how it ended, how long it took. */
export interface TaskLogLine {
  time: string;
  worker: string;
  execution: string | undefined;
  keyId: string | undefined;
  hsmKeyLabel: string | undefined;
  /**
   * answer-refused: Step Functions refused the answer (the task timed out or is gone);
   * answer-undelivered: the answer could not be sent at all (network, AWS errors) after its retries.
   * In both the workflow did not get this task's result.
   */
  outcome: 'succeeded' | 'failed' | 'refused' | 'answer-refused' | 'answer-undelivered';
  error?: string | undefined;
  durationMs: number;
}

export interface WorkerOptions {
  activities: readonly HsmActivity[];
  workerName: string;
  concurrency: number;
  /** How often a task in hand is heartbeaten (well within the state's HeartbeatSeconds). */
  heartbeatIntervalMs: number;
  backoff?: BackoffOptions | undefined;
}

export interface WorkerDeps extends WrapTaskDeps {
  hsm: WrapTaskDeps['hsm'] & RotationHsmDeps['hsm'];
  journal: RotationTaskDeps['journal'];
  sfn: SFNClient;
  events: EventBridgeClient;
  /** The per-task JSON line (stdout in the CLI). */
  logTask(line: TaskLogLine): void;
  /** Operational notes: reconnects, heartbeat failures (stderr in the CLI). */
  note(message: string, fields?: Record<string, unknown>): void;
}

/** What a signal note says is still going on. */
export interface WorkerActivityView {
  pollsInFlight: number;
  tasksInHand: Array<{ step: string; runningMs: number }>;
}

/** Refusals: the task asked for something the worker's own configuration or KMS does not allow. */
const REFUSALS = [
  WorkerKeyNotBoundError,
  WorkerRetireRefusedError,
  WorkerRotationKeyUnknownError,
  WorkerSha1WrappingRefusedError,
  WorkerTaskInputError,
  RotationMaterialInUseError,
  RotationMaterialUnprovenError,
] as const;
type Refusal = InstanceType<(typeof REFUSALS)[number]>;

function isRefusal(error: unknown): error is Refusal {
  return REFUSALS.some((refusal) => error instanceof refusal);
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
  private pollsInFlight = 0;
  private readonly inHand = new Set<{ step: string; startedAt: number }>();

  constructor(
    private readonly options: WorkerOptions,
    private readonly deps: WorkerDeps,
  ) {}

  /** Starts the pollers; the promise settles when all have stopped. */
  run(): Promise<void> {
    this.running ??= Promise.all(
      this.options.activities.flatMap((activity) =>
        Array.from({ length: this.options.concurrency }, (_, slot) => this.poller(activity, slot)),
      ),
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

  /** The polls in flight and the tasks in hand now (for the signal notes). */
  activity(): WorkerActivityView {
    const now = performance.now();
    return {
      pollsInFlight: this.pollsInFlight,
      tasksInHand: [...this.inHand].map((task) => ({
        step: task.step,
        runningMs: Math.round(now - task.startedAt),
      })),
    };
  }

  private async poller(activity: HsmActivity, slot: number): Promise<void> {
    let failures = 0;
    const workerName = `${this.options.workerName}-${slot}`.slice(0, 80);
    while (!this.stopping) {
      let task: { taskToken?: string | undefined; input?: string | undefined };
      try {
        this.pollsInFlight += 1;
        task = await this.deps.sfn
          .send(new GetActivityTaskCommand({ activityArn: activity.activityArn, workerName }), {
            abortSignal: this.hardStop.signal,
          })
          .finally(() => {
            this.pollsInFlight -= 1;
          });
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
      if (task.taskToken) await this.handle(activity.step, task.taskToken, task.input ?? '');
    }
  }

  /** Parses the task's input for its step and runs that step's core: its output and ids. */
  private async runTask(step: string, inputText: string, seen: (ids: TaskIds) => void): Promise<unknown> {
    const logger = this.deps.logger;
    switch (step) {
      case 'wrap-key-material': {
        // Bounded before anything about it is logged (./task-inputs.ts).
        const input = parseWrapTaskInput(inputText);
        seen({
          execution: input.executionId,
          keyId: input.importParameters.keyId,
          hsmKeyLabel: input.importParameters.hsmKeyLabel,
        });
        return runWrapTask(input, this.deps);
      }
      case 'create-rotation-material': {
        const input = parseCreateRotationMaterialTask(inputText);
        seen({
          execution: input.rotation.requestId,
          keyId: input.rotation.keyArn,
          hsmKeyLabel: input.rotation.newHsmKeyLabel,
        });
        return runCreateRotationMaterialTask(input, { ...this.deps, logger });
      }
      case 'retire-rotation-material': {
        const input = parseRetireRotationMaterialTask(inputText);
        seen({
          execution: input.abandoned.requestId ?? undefined,
          keyId: input.abandoned.keyId ?? undefined,
          hsmKeyLabel: input.abandoned.hsmKeyLabel ?? undefined,
        });
        return runRetireRotationMaterialTask(input, { ...this.deps, logger });
      }
      default:
        throw new WorkerUnknownStepError(step);
    }
  }

  private async handle(step: string, taskToken: string, inputText: string): Promise<void> {
    const started = performance.now();
    const inHand = { step, startedAt: started };
    this.inHand.add(inHand);
    const heartbeat = setInterval(() => {
      this.deps.sfn.send(new SendTaskHeartbeatCommand({ taskToken })).catch((error: unknown) => {
        this.deps.note('SendTaskHeartbeat failed', { error: nameOf(error), reason: messageOf(error) });
      });
    }, this.options.heartbeatIntervalMs);
    let ids: TaskIds = { execution: undefined, keyId: undefined, hsmKeyLabel: undefined };
    let line: Omit<TaskLogLine, 'time' | 'worker' | 'durationMs'>;
    try {
      const output = await this.runTask(step, inputText, (seen) => {
        ids = seen;
      });
      const answered = await this.answer(
        new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }),
      );
      line = { ...ids, outcome: answered === 'accepted' ? 'succeeded' : `answer-${answered}` };
    } catch (error) {
      const name = nameOf(error);
      const refused = isRefusal(error);
      if (refused) await this.alert(error, ids);
      const answered = await this.answer(
        new SendTaskFailureCommand({
          taskToken,
          error: name.slice(0, MAX_ERROR_LENGTH),
          cause: messageOf(error).slice(0, MAX_CAUSE_LENGTH),
        }),
      );
      line = {
        ...ids,
        outcome: answered !== 'accepted' ? `answer-${answered}` : refused ? 'refused' : 'failed',
        error: name,
      };
    } finally {
      clearInterval(heartbeat);
      this.inHand.delete(inHand);
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
   * Sends the answer, retrying network and AWS failures with backoff: `refused` when Step Functions
   * refuses it (the task timed out or is gone: the workflow has moved on), `undelivered` when it
   * could not be sent after ANSWER_ATTEMPTS (no refusal was seen: the line must not say one was).
   */
  private async answer(
    command: SendTaskSuccessCommand | SendTaskFailureCommand,
  ): Promise<'accepted' | 'refused' | 'undelivered'> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.deps.sfn.send(command as SendTaskSuccessCommand);
        return 'accepted';
      } catch (error) {
        const name = nameOf(error);
        if (name === 'TaskTimedOut' || name === 'TaskDoesNotExist' || name === 'InvalidToken')
          return 'refused';
        if (attempt >= ANSWER_ATTEMPTS) {
          this.deps.note('giving up on answering the task', { error: name, reason: messageOf(error) });
          return 'undelivered';
        }
        await sleep(fullJitterDelayMs(attempt, this.options.backoff ?? DEFAULT_BACKOFF));
      }
    }
  }

  private async alert(error: Refusal, ids: TaskIds): Promise<void> {
    // Every value here was bounded before it was seen (an input refusal carries none of the input).
    const named = 'keyId' in error ? error : undefined;
    try {
      await publishRefusedTask(this.deps.events, {
        worker: this.options.workerName,
        executionId: ids.execution,
        keyId: named?.keyId ?? ids.keyId ?? '(not read: input refused)',
        hsmKeyLabel: named?.hsmKeyLabel ?? ids.hsmKeyLabel ?? '(not read: input refused)',
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

function nameOf(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
