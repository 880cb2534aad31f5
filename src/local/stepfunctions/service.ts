// The local Step Functions API: AWSStepFunctions.* over AWS JSON 1.0 on the local stack's port, so
// `byok start`, the AWS CLI and any SDK client start and follow executions locally exactly as they
// do on AWS. Executions run the real statemachines/*.asl.json with functions/ in-process through the
// workflow engine passed in (the runner, src/onprem/runner, given by `byok local up` or the simulation);
// this module only keeps their records and speaks the wire protocol. CreateStateMachine and
// DeleteStateMachine add and remove state machines of anyone's making (./created-machines.ts), run
// by the same engine with their own definition: what an account principal allowed
// states:CreateStateMachine can do on AWS, e.g. send tasks to byok's activities.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import {
  AWS_JSON_1_0,
  AwsServiceError,
  type LocalService,
  type RequestContext,
  toEpochSeconds,
} from '../protocol.ts';
import { LocalActivities } from './activities.ts';
import { CreatedStateMachines, readCreateStateMachine } from './created-machines.ts';
import type { WorkflowEngine } from './engine.ts';
import { LocalStateNotSavedError } from './errors.ts';
import { type HistoryEvent, HistoryRecorder } from './history.ts';
import type { ExecutionJournal, JournalExecution, JournalWaitPoint } from './journal.ts';
import { readStartExecution, requiredStringMember } from './request-fields.ts';
import { sendTaskFailure, sendTaskHeartbeat, sendTaskSuccess } from './task-answers.ts';
import type { TaskTokenPort } from './task-port.ts';
import { pageOf } from './validation.ts';

const STEP_FUNCTIONS_TARGET_PREFIX = 'AWSStepFunctions';
const _MAX_INPUT_BYTES = 256 * 1024;
export interface StepFunctionsServiceOptions {
  region: string;
  accountId: string;
  clock: Clock;
  /**
   * What runs the executions. A run that cannot start (its deps, e.g. no local token yet) fails
   * that execution under the error's name, as a Lambda init error would.
   */
  engine: WorkflowEngine;
  /**
   * Task tokens and activity tasks (the runner's TaskTokenService, given by the stack's composer,
   * which gives the same one to the engine). SendTask* and GetActivityTask are answered with it.
   */
  tasks?: TaskTokenPort | undefined;
  /** How long GetActivityTask holds a poll (default 60 s, as AWS). */
  activityPollMs?: number | undefined;
  /**
   * Where executions are kept over a restart (the stack's state dir, ./journal.ts). With it,
   * executions are reloaded on start, those that waited for a task token resume waiting for it,
   * and the others that were running end FAILED with `Local.StackStopped` (named, with the state
   * they were in). Without it everything lives in memory and a stop ends running executions ABORTED.
   */
  journal?: ExecutionJournal | undefined;
  /**
   * With a journal: how long an ended execution is kept after its stop date, in days of the
   * stack's clock (`clock`, the virtual clock of `byok local up`, not the wall clock). Default
   * EXECUTION_RETENTION_DAYS (90, as AWS keeps ended executions).
   */
  retentionDays?: number | undefined;
}

/** How long an ended execution is kept (AWS: 90 days after it ended). */
export const EXECUTION_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

/** How long a stop waits for calls that are handing out task tokens. */
const CALLS_IN_FLIGHT_WAIT_MS = 5_000;

/** The error of an execution a stopped stack could not resume (docs/local-stack.md). */
export const STACK_STOPPED_ERROR = 'Local.StackStopped';

/**
 * A running or ended execution: the record the journal keeps (its `sequence` is the order of start,
 * kept over restarts: ListExecutions lists newest first), with the live history and the run.
 */
interface Execution extends Omit<JournalExecution, 'history' | 'waiting'> {
  history: HistoryRecorder;
  controller: AbortController;
  done: Promise<void>;
  /** The input each top-level state was last entered with (what a resumed run starts from). */
  stateInputs: Map<string, unknown>;
  /** Set when the stack stops: the record is final as saved, whatever the aborted run reports. */
  suspended?: boolean;
}

function epoch(date: Date | undefined): number | undefined {
  return date ? toEpochSeconds(date) : undefined;
}

export class StepFunctionsService implements LocalService {
  readonly targetPrefix = STEP_FUNCTIONS_TARGET_PREFIX;
  readonly contentType = AWS_JSON_1_0;
  private readonly executions = new Map<string, Execution>();
  private closed = false;
  /** Executions whose last write to the state dir failed (a later good write clears one). */
  private readonly unsaved = new Set<string>();
  private lastUnsavedError: string | undefined;
  private readonly activities: LocalActivities;
  private readonly created = new CreatedStateMachines();
  private sequence = 0;
  private readonly detachResumable: (() => void) | undefined;

  constructor(private readonly options: StepFunctionsServiceOptions) {
    this.activities = new LocalActivities({
      region: options.region,
      accountId: options.accountId,
      clock: options.clock,
      tasks: options.tasks,
      pollMs: options.activityPollMs,
    });
    if (options.journal) {
      this.restore(options.journal);
      this.prune();
      // A vote request now holds the token: keep the wait point at once (a kill loses nothing).
      this.detachResumable = options.tasks?.onResumable?.((executionArn) => {
        const execution = this.executions.get(executionArn);
        if (execution?.status === 'RUNNING') this.persist(execution);
      });
    }
  }

  /**
   * Loads the kept executions: ended ones as they were; running ones that waited for a task token
   * resume waiting for the same token (adopted by the task port, so the holder can still answer);
   * other running ones (the stack was killed mid-step) end FAILED with Local.StackStopped.
   */
  private restore(journal: ExecutionJournal): void {
    for (const kept of journal.load()) {
      const history = this.recorder();
      history.events.push(...(kept.history as HistoryEvent[]));
      const execution: Execution = {
        executionArn: kept.executionArn,
        stateMachineArn: kept.stateMachineArn,
        stateMachine: kept.stateMachine,
        name: kept.name,
        status: kept.status,
        startDate: kept.startDate,
        stopDate: kept.stopDate,
        inputText: kept.inputText,
        outputText: kept.outputText,
        error: kept.error,
        cause: kept.cause,
        history,
        controller: new AbortController(),
        done: Promise.resolve(),
        sequence: kept.sequence,
        stateInputs: new Map(),
      };
      this.sequence = Math.max(this.sequence, kept.sequence + 1);
      this.executions.set(execution.executionArn, execution);
      if (execution.status !== 'RUNNING') continue;
      const adopt = this.options.tasks?.adoptCallbackTask?.bind(this.options.tasks);
      if (!kept.waiting || !adopt) {
        this.stopAsInterrupted(execution, 'it was stopped without saving where it was (killed)');
        continue;
      }
      const waiting = kept.waiting;
      adopt({ ...waiting, executionArn: execution.executionArn });
      // Known before the resumed run re-enters the state: a stop right after this start keeps it too.
      execution.stateInputs.set(waiting.stateName, JSON.parse(waiting.stateInput));
      execution.done = this.run(execution, JSON.parse(execution.inputText), {
        stateName: waiting.stateName,
        input: JSON.parse(waiting.stateInput),
        token: waiting.token,
      });
    }
  }

  private recorder(): HistoryRecorder {
    return new HistoryRecorder(`arn:aws:iam::${this.options.accountId}:role/byok-local-step-functions`, () =>
      this.options.clock.now(),
    );
  }

  /** Where a running execution waits for a task token whose call went out, if it does. */
  private waitPoint(execution: Execution): JournalWaitPoint | undefined {
    for (const task of this.options.tasks?.resumableTasks?.(execution.executionArn) ?? []) {
      if (!execution.stateInputs.has(task.stateName)) continue;
      return {
        stateName: task.stateName,
        stateInput: JSON.stringify(execution.stateInputs.get(task.stateName) ?? null),
        token: task.token,
        issuedAt: task.issuedAt,
        deadline: task.deadline,
        heartbeatSeconds: task.heartbeatSeconds,
      };
    }
    return undefined;
  }

  /** Saves the execution's record (with its wait point while it runs); a failed write is warned of. */
  private persist(
    execution: Execution,
    waiting = execution.status === 'RUNNING' ? this.waitPoint(execution) : undefined,
  ): void {
    const journal = this.options.journal;
    if (!journal) return;
    try {
      journal.save({ ...execution, history: execution.history.events, waiting });
      this.unsaved.delete(execution.executionArn);
    } catch (error) {
      this.unsaved.add(execution.executionArn);
      this.lastUnsavedError = error instanceof Error ? error.message : String(error);
      process.emitWarning(
        `the local Step Functions API could not save execution ${execution.executionArn}: ${error instanceof Error ? error.message : String(error)}`,
        { code: 'BYOK_LOCAL_STATE_WRITE' },
      );
    }
  }

  /**
   * Forgets the ended executions that stopped more than the retention ago on the stack's clock:
   * their journal files are removed (atomically, by this stack, which holds the state-dir lock) and
   * they are no longer listed or described, as on AWS. A running execution (one waiting for its
   * vote) is never removed, however old. Run at start and before each StartExecution, so the
   * journal cannot grow past what the retention holds; the scan is over the executions in memory,
   * and only an expired execution touches the disk (bench/stepfunctions-journal.ts).
   */
  private prune(): void {
    const journal = this.options.journal;
    if (!journal) return;
    const cutoff =
      this.options.clock.now().getTime() - (this.options.retentionDays ?? EXECUTION_RETENTION_DAYS) * DAY_MS;
    const expired: string[] = [];
    for (const [executionArn, execution] of this.executions) {
      if (execution.status === 'RUNNING' || execution.stopDate === undefined) continue;
      if (execution.stopDate.getTime() <= cutoff) expired.push(executionArn);
    }
    if (expired.length === 0) return;
    try {
      journal.remove(expired);
      for (const executionArn of expired) this.executions.delete(executionArn);
    } catch (error) {
      // Kept in memory and tried again on the next start of an execution.
      process.emitWarning(
        `the local Step Functions API could not remove ${expired.length} expired execution(s): ${error instanceof Error ? error.message : String(error)}`,
        { code: 'BYOK_LOCAL_STATE_WRITE' },
      );
    }
  }

  /** Ends a running execution that cannot be resumed: FAILED, Local.StackStopped, the state named. */
  private stopAsInterrupted(execution: Execution, why: string): void {
    const entered = [...execution.history.events]
      .reverse()
      .find((event) => event.type.endsWith('StateEntered'));
    const state = (entered?.stateEnteredEventDetails as { name?: string } | undefined)?.name;
    const cause = `the local stack stopped while this execution ran${state ? ` (in state ${state})` : ''} and ${why}; a restart resumes only executions waiting for a task token (.waitForTaskToken): start it again`;
    execution.suspended = true;
    execution.history.record({
      type: 'ExecutionFailed',
      timestamp: Date.now(),
      Error: STACK_STOPPED_ERROR,
      Cause: cause,
    } as never);
    Object.assign(execution, {
      status: 'FAILED',
      error: STACK_STOPPED_ERROR,
      cause,
      stopDate: this.options.clock.now(),
    });
    this.persist(execution, undefined);
  }

  async handle(
    operation: string,
    input: Record<string, unknown>,
    context?: RequestContext,
  ): Promise<unknown> {
    switch (operation) {
      case 'SendTaskSuccess':
        return sendTaskSuccess(this.options.tasks, input);
      case 'SendTaskFailure':
        return sendTaskFailure(this.options.tasks, input);
      case 'SendTaskHeartbeat':
        return sendTaskHeartbeat(this.options.tasks, input);
      case 'CreateActivity':
        return this.activities.createActivity(input);
      case 'ListActivities':
        return this.activities.listActivities(input);
      case 'DescribeActivity':
        return this.activities.describeActivity(input);
      case 'DeleteActivity':
        return this.activities.deleteActivity(input);
      case 'GetActivityTask':
        return this.activities.getActivityTask(input, context);
      case 'StartExecution':
        return this.startExecution(input);
      case 'DescribeExecution':
        return this.describeExecution(input);
      case 'ListExecutions':
        return this.listExecutions(input);
      case 'GetExecutionHistory':
        return this.getExecutionHistory(input);
      case 'StopExecution':
        return this.stopExecution(input);
      case 'ListStateMachines':
        return this.listStateMachines(input);
      case 'DescribeStateMachine':
        return this.describeStateMachine(input);
      case 'CreateStateMachine':
        return this.createStateMachine(input);
      case 'DeleteStateMachine':
        return this.deleteStateMachine(input);
      default:
        throw new AwsServiceError('UnknownOperationException');
    }
  }

  /** Stops every running execution and waits for it to end. */
  async close(): Promise<void> {
    this.closed = true;
    this.detachResumable?.();
    this.activities.close();
    if (this.options.journal) {
      // A call handing out a task token (a vote request being opened) finishes first, so its
      // execution is kept waiting rather than cut off a moment before it could be (bounded).
      const until = Date.now() + CALLS_IN_FLIGHT_WAIT_MS;
      while ((this.options.tasks?.callsInFlight?.() ?? 0) > 0 && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    const running = [...this.executions.values()].filter((execution) => execution.status === 'RUNNING');
    if (this.options.journal) {
      // Kept as they are: one waiting for a task token resumes on the next start; the others end
      // here, by name (never a silent ABORTED).
      for (const execution of running) {
        const waiting = this.waitPoint(execution);
        if (waiting) {
          execution.suspended = true;
          this.persist(execution, waiting);
        } else this.stopAsInterrupted(execution, 'was not waiting for a task token');
      }
    }
    for (const execution of running) execution.controller.abort();
    await Promise.all(running.map((execution) => execution.done));
    // Closed either way; but never as if everything was kept when some execution could not be.
    if (this.unsaved.size > 0) {
      throw new LocalStateNotSavedError(this.unsaved.size, this.lastUnsavedError ?? 'unknown');
    }
  }

  /**
   * An EventBridge target handler (src/local/events, structurally) that starts executions here, so
   * executions a rule starts are listed and described like any other. Like the runner's own
   * handler, a delivery resolves when the execution has settled (see `settled`: on the virtual
   * clock a scheduled run is over before time moves on, unless it waits for someone else), and a
   * failed execution fails the delivery.
   */
  eventTarget(): {
    matches(arn: string): boolean;
    deliver(delivery: { targetArn: string; input: string }): Promise<string>;
  } {
    const prefix = `arn:aws:states:${this.options.region}:${this.options.accountId}:stateMachine:`;
    return {
      matches: (arn) => arn.startsWith(prefix),
      deliver: async (delivery) => {
        const { executionArn } = await this.startExecution({
          stateMachineArn: delivery.targetArn,
          input: delivery.input,
        });
        const execution = this.executions.get(executionArn) as Execution;
        await this.settled(executionArn);
        if (execution.status !== 'SUCCEEDED' && execution.status !== 'RUNNING') {
          throw new Error(
            `execution ${executionArn} ${execution.status}: ${execution.error ?? ''} ${execution.cause ?? ''}`.trim(),
          );
        }
        return executionArn;
      },
    };
  }

  /**
   * Resolves when the execution has ended, or when it waits for someone else: it, or an execution
   * started after it that still runs (its children, startExecution.sync), holds an open task token
   * or activity task (a vote days away, a worker's poll). A rule's delivery waits with this, never
   * with `idle`: the virtual clock must not stop for a task token or for an unrelated execution
   * (issue 17: a rotation waiting for approval froze `clock advance`). The execution goes on.
   */
  async settled(executionArn: string, pollMs = 20): Promise<'ended' | 'waiting'> {
    const execution = this.executions.get(executionArn);
    if (!execution)
      throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    let ended = false;
    void execution.done.then(() => {
      ended = true;
    });
    for (;;) {
      await Promise.race([execution.done, new Promise((resolve) => setTimeout(resolve, pollMs))]);
      if (ended || execution.status !== 'RUNNING') return 'ended';
      if (this.waitsForOthers(executionArn)) return 'waiting';
    }
  }

  /** Whether the execution, or one started after it that still runs, holds an open task. */
  private waitsForOthers(executionArn: string): boolean {
    const open = this.options.tasks?.openTasks?.();
    if (!open || open.length === 0) return false;
    const waiting = new Set(open.map((task) => task.executionArn));
    let after = false;
    for (const [arn, candidate] of this.executions) {
      if (arn === executionArn) after = true;
      if (after && candidate.status === 'RUNNING' && waiting.has(arn)) return true;
    }
    return false;
  }

  /** Resolves when every execution started so far has ended (tests; never the clock's work). */
  async idle(): Promise<void> {
    await Promise.all([...this.executions.values()].map((execution) => execution.done));
  }

  private stateMachineArn(name: string): string {
    return `arn:aws:states:${this.options.region}:${this.options.accountId}:stateMachine:${name}`;
  }

  /** `arn:aws:states:<region>:<account>:stateMachine:<name>` of this stack -> `<name>`. */
  private async stateMachineNamed(arn: string): Promise<string> {
    const match = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/.exec(
      arn,
    );
    if (!match)
      throw new AwsServiceError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${arn}'`,
      );
    const [, region, accountId, name] = match as unknown as [string, string, string, string];
    const known = [...(await this.options.engine.listStateMachines()), ...this.created.names()];
    if (region !== this.options.region || accountId !== this.options.accountId || !known.includes(name)) {
      throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    }
    return name;
  }

  private execution(input: Record<string, unknown>): Execution {
    const arn = requiredStringMember(input, 'executionArn');
    if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/.test(arn)) {
      throw new AwsServiceError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${arn}'`,
      );
    }
    const execution = this.executions.get(arn);
    if (!execution) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private async startExecution(input: Record<string, unknown>) {
    if (this.closed) throw new AwsServiceError('ServiceUnavailable', 'the local stack is stopping', 503);
    const request = readStartExecution(input);
    const { stateMachineArn, inputText, input: parsedInput } = request;
    const stateMachine = await this.stateMachineNamed(stateMachineArn);
    const name = request.name ?? randomUUID();
    this.prune();
    const executionArn = `arn:aws:states:${this.options.region}:${this.options.accountId}:execution:${stateMachine}:${name}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // As on AWS: the same name and input as a running execution is the same request.
      if (existing.status === 'RUNNING' && existing.inputText === inputText) {
        return { executionArn, startDate: epoch(existing.startDate) };
      }
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution: Execution = {
      executionArn,
      stateMachineArn,
      stateMachine,
      name,
      status: 'RUNNING',
      startDate: this.options.clock.now(),
      inputText,
      history: this.recorder(),
      controller: new AbortController(),
      done: Promise.resolve(),
      sequence: this.sequence++,
      stateInputs: new Map(),
    };
    this.executions.set(executionArn, execution);
    this.persist(execution, undefined);
    execution.done = this.run(execution, parsedInput);
    return { executionArn, startDate: epoch(execution.startDate) };
  }

  private async run(
    execution: Execution,
    input: unknown,
    resumeAt?: { stateName: string; input: unknown; token: string },
  ): Promise<void> {
    const finish = (fields: Partial<Execution>) => {
      // Stopped with the stack: the record stays as it was saved then.
      if (execution.suspended) return;
      Object.assign(execution, fields, { stopDate: this.options.clock.now() });
      this.persist(execution, undefined);
    };
    // A resumed run enters its waiting state again: that entry (and its ExecutionStarted) is
    // already in the history.
    let replaying = resumeAt !== undefined;
    const onProgress = (event: Parameters<HistoryRecorder['record']>[0]) => {
      const state = (event as { state?: { name?: string; input?: unknown } }).state;
      const topLevel = (event as { index?: number }).index === undefined;
      if (event.type === 'StateEntered' && topLevel && state?.name)
        execution.stateInputs.set(state.name, state.input);
      if (replaying) {
        if (event.type === 'ExecutionStarted') return;
        if (event.type === 'StateEntered' && state?.name === resumeAt?.stateName) return;
        replaying = false;
      }
      if (!execution.suspended) execution.history.record(event);
    };
    try {
      const created = this.created.get(execution.stateMachine);
      const described = created
        ? { lambdaStates: [] }
        : await this.options.engine.describeStateMachine(execution.stateMachine);
      execution.history.lambdaStates = new Set(described.lambdaStates);
      const result = await this.options.engine.run({
        stateMachine: execution.stateMachine,
        ...(created ? { definition: created.definition } : {}),
        name: execution.name,
        input,
        region: this.options.region,
        accountId: this.options.accountId,
        // Nested executions (startExecution.sync:2) start here too, so they are listed.
        stepFunctionsApi: this,
        signal: execution.controller.signal,
        onProgress,
        ...(resumeAt ? { resumeAt } : {}),
      });
      finish({
        status: result.status,
        outputText: result.status === 'SUCCEEDED' ? JSON.stringify(result.output ?? null) : undefined,
        error: result.error,
        cause: result.cause,
      });
    } catch (error) {
      // The execution could not run at all (deps, a function module): it fails under that error's
      // name and message, as a Lambda that cannot initialise does.
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      if (execution.suspended) return;
      if (execution.history.events.length === 0) {
        execution.history.record({ type: 'ExecutionStarted', timestamp: Date.now(), input } as never);
      }
      execution.history.record({
        type: 'ExecutionFailed',
        timestamp: Date.now(),
        Error: name,
        Cause: message,
      } as never);
      finish({ status: 'FAILED', error: name, cause: message });
    }
  }

  private describeExecution(input: Record<string, unknown>) {
    const execution = this.execution(input);
    return {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: epoch(execution.startDate),
      stopDate: epoch(execution.stopDate),
      input: execution.inputText,
      inputDetails: { included: true },
      ...(execution.outputText !== undefined
        ? { output: execution.outputText, outputDetails: { included: true } }
        : {}),
      ...(execution.error !== undefined ? { error: execution.error } : {}),
      ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
    };
  }

  private async listExecutions(input: Record<string, unknown>) {
    const stateMachineArn = requiredStringMember(input, 'stateMachineArn');
    await this.stateMachineNamed(stateMachineArn);
    const statusFilter = input.statusFilter;
    const matching = [...this.executions.values()]
      .filter((execution) => execution.stateMachineArn === stateMachineArn)
      .filter((execution) => statusFilter === undefined || execution.status === statusFilter)
      .reverse();
    const { page, nextToken } = pageOf(matching, input);
    return {
      executions: page.map((execution) => ({
        executionArn: execution.executionArn,
        stateMachineArn: execution.stateMachineArn,
        name: execution.name,
        status: execution.status,
        startDate: epoch(execution.startDate),
        stopDate: epoch(execution.stopDate),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private getExecutionHistory(input: Record<string, unknown>) {
    const execution = this.execution(input);
    const includeData = input.includeExecutionData !== false;
    const ordered =
      input.reverseOrder === true ? [...execution.history.events].reverse() : execution.history.events;
    const { page, nextToken } = pageOf(ordered, input);
    return {
      events: page.map((event) => wireEvent(event, includeData)),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private async stopExecution(input: Record<string, unknown>) {
    const execution = this.execution(input);
    if (execution.status === 'RUNNING') {
      execution.controller.abort();
      await execution.done;
      Object.assign(execution, {
        ...(typeof input.error === 'string' ? { error: input.error } : {}),
        ...(typeof input.cause === 'string' ? { cause: input.cause } : {}),
      });
    }
    return { stopDate: epoch(execution.stopDate) };
  }

  private async listStateMachines(input: Record<string, unknown>) {
    const names = [...(await this.options.engine.listStateMachines()), ...this.created.names()].sort();
    const { page, nextToken } = pageOf(names, input);
    return {
      stateMachines: page.map((name) => ({
        stateMachineArn: this.stateMachineArn(name),
        name,
        type: 'STANDARD',
        creationDate: epoch(this.created.get(name)?.creationDate) ?? 0,
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private async createStateMachine(input: Record<string, unknown>) {
    const request = readCreateStateMachine(input);
    const arn = this.stateMachineArn(request.name);
    if ((await this.options.engine.listStateMachines()).includes(request.name)) {
      throw new AwsServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    }
    const problems = (await this.options.engine.validateDefinition?.(request.definition)) ?? [];
    if (problems.length > 0) {
      throw new AwsServiceError(
        'InvalidDefinition',
        `Invalid State Machine Definition: '${problems.join('; ').slice(0, 1024)}'`,
      );
    }
    const created = this.created.add(request, arn, this.options.clock.now());
    return { stateMachineArn: created.arn, creationDate: epoch(created.creationDate) };
  }

  /**
   * Removes a created state machine (its running executions go on to their end, as on AWS); an
   * unknown one is no error (AWS answers the same). The stack's own cannot be deleted here.
   */
  private async deleteStateMachine(input: Record<string, unknown>) {
    const stateMachineArn = requiredStringMember(input, 'stateMachineArn');
    const match = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:([^:]{1,80})$/.exec(stateMachineArn);
    if (!match) {
      throw new AwsServiceError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${stateMachineArn.slice(0, 256)}'`,
      );
    }
    const name = match[1] as string;
    if (stateMachineArn === this.stateMachineArn(name)) {
      if ((await this.options.engine.listStateMachines()).includes(name)) {
        throw new AwsServiceError(
          'ValidationException',
          `the local stack's own state machine ${name} cannot be deleted (statemachines/${name}.asl.json)`,
        );
      }
      this.created.delete(name);
    }
    return {};
  }

  private async describeStateMachine(input: Record<string, unknown>) {
    const stateMachineArn = requiredStringMember(input, 'stateMachineArn');
    const name = await this.stateMachineNamed(stateMachineArn);
    const created = this.created.get(name);
    if (created) {
      return {
        stateMachineArn,
        name,
        status: 'ACTIVE',
        definition: created.definitionText,
        roleArn: created.roleArn,
        type: created.type,
        creationDate: epoch(created.creationDate),
      };
    }
    const described = await this.options.engine.describeStateMachine(name);
    return {
      stateMachineArn,
      name,
      status: 'ACTIVE',
      definition: described.definition,
      roleArn: `arn:aws:iam::${this.options.accountId}:role/byok-local-step-functions`,
      type: 'STANDARD',
      creationDate: 0,
    };
  }
}

const DATA_FIELDS = new Set(['input', 'output', 'inputDetails', 'outputDetails']);

function wireEvent(event: HistoryEvent, includeData: boolean): Record<string, unknown> {
  const wire: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(event)) {
    if (field === 'timestamp') wire.timestamp = toEpochSeconds(value as Date);
    else if (!includeData && field.endsWith('EventDetails') && value && typeof value === 'object') {
      wire[field] = Object.fromEntries(Object.entries(value).filter(([key]) => !DATA_FIELDS.has(key)));
    } else wire[field] = value;
  }
  return wire;
}
