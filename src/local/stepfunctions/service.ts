// The local Step Functions API: AWSStepFunctions.* over AWS JSON 1.0 on the local stack's port, so
// `byok start`, the AWS CLI and any SDK client start and follow executions locally exactly as they
// do on AWS. Executions run the real statemachines/*.asl.json with functions/ in-process through the
// runner (src/local/runner); this module only keeps their records and speaks the wire protocol.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Clock } from '../../clock.ts';
import { AWS_JSON_1_0, AwsServiceError, type LocalService, toEpochSeconds } from '../protocol.ts';
import {
  type ExecutionStatus,
  listStateMachines,
  loadStateMachine,
  type RunnerDeps,
  type RunOverrides,
  runExecution,
} from '../runner/index.ts';
import { functionNameOf, taskStates } from '../runner/state-machines.ts';
import { type HistoryEvent, HistoryRecorder } from './history.ts';
import { readStartExecution, requiredStringMember } from './request-fields.ts';

export const STEP_FUNCTIONS_TARGET_PREFIX = 'AWSStepFunctions';
export interface StepFunctionsServiceOptions {
  region: string;
  accountId: string;
  clock: Clock;
  /**
   * What the functions of an execution need (KMS client, HSM, clock...). Called on the first
   * StartExecution, not before: the stack can run before a local token exists. A failure fails that
   * execution under the error's name, as a Lambda init error would, and is retried next time.
   */
  deps: () => Promise<RunnerDeps>;
  overrides?: RunOverrides | undefined;
}

type Status = ExecutionStatus | 'RUNNING';

interface Execution {
  executionArn: string;
  stateMachineArn: string;
  stateMachine: string;
  name: string;
  status: Status;
  startDate: Date;
  stopDate?: Date | undefined;
  inputText: string;
  outputText?: string | undefined;
  error?: string | undefined;
  cause?: string | undefined;
  history: HistoryRecorder;
  controller: AbortController;
  done: Promise<void>;
}

function pageOf<T>(items: T[], input: Record<string, unknown>): { page: T[]; nextToken?: string } {
  const maxResults =
    input.maxResults === undefined || input.maxResults === 0 ? 100 : Number(input.maxResults);
  if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
    throw new AwsServiceError('ValidationException', 'maxResults must be between 0 and 1000');
  }
  let start = 0;
  if (input.nextToken !== undefined) {
    start = Number.parseInt(Buffer.from(String(input.nextToken), 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(start) || start < 0 || start > items.length) {
      throw new AwsServiceError('InvalidToken', 'Invalid Token');
    }
  }
  const page = items.slice(start, start + maxResults);
  const next = start + page.length;
  return next < items.length
    ? { page, nextToken: Buffer.from(String(next)).toString('base64url') }
    : { page };
}

function epoch(date: Date | undefined): number | undefined {
  return date ? toEpochSeconds(date) : undefined;
}

export class StepFunctionsService implements LocalService {
  readonly targetPrefix = STEP_FUNCTIONS_TARGET_PREFIX;
  readonly contentType = AWS_JSON_1_0;
  private readonly executions = new Map<string, Execution>();
  private depsPromise: Promise<RunnerDeps> | undefined;
  private closed = false;

  constructor(private readonly options: StepFunctionsServiceOptions) {}

  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
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
      default:
        throw new AwsServiceError('UnknownOperationException');
    }
  }

  /** Stops every running execution and waits for it to end. */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.executions.values()].filter((execution) => execution.status === 'RUNNING');
    for (const execution of running) execution.controller.abort();
    await Promise.all(running.map((execution) => execution.done));
  }

  /**
   * An EventBridge target handler (src/local/events, structurally) that starts executions here, so
   * executions a rule starts are listed and described like any other. Like the runner's own
   * handler, a delivery resolves when the execution has ended (on the virtual clock a scheduled run
   * is over before time moves on), and a failed execution fails the delivery.
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
        await execution.done;
        if (execution.status !== 'SUCCEEDED') {
          throw new Error(
            `execution ${executionArn} ${execution.status}: ${execution.error ?? ''} ${execution.cause ?? ''}`.trim(),
          );
        }
        return executionArn;
      },
    };
  }

  /** Resolves when every execution started so far has ended. */
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
    const known = await listStateMachines();
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

  private runnerDeps(): Promise<RunnerDeps> {
    if (!this.depsPromise) {
      this.depsPromise = this.options.deps();
      this.depsPromise.catch(() => {
        this.depsPromise = undefined;
      });
    }
    return this.depsPromise;
  }

  private async startExecution(input: Record<string, unknown>) {
    if (this.closed) throw new AwsServiceError('ServiceUnavailable', 'the local stack is stopping', 503);
    const request = readStartExecution(input);
    const { stateMachineArn, inputText, input: parsedInput } = request;
    const stateMachine = await this.stateMachineNamed(stateMachineArn);
    const name = request.name ?? randomUUID();
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
      history: new HistoryRecorder(
        `arn:aws:iam::${this.options.accountId}:role/byok-local-step-functions`,
        () => this.options.clock.now(),
      ),
      controller: new AbortController(),
      done: Promise.resolve(),
    };
    this.executions.set(executionArn, execution);
    execution.done = this.run(execution, parsedInput);
    return { executionArn, startDate: epoch(execution.startDate) };
  }

  private async run(execution: Execution, input: unknown): Promise<void> {
    const finish = (fields: Partial<Execution>) => {
      Object.assign(execution, fields, { stopDate: this.options.clock.now() });
    };
    try {
      const loaded = await loadStateMachine(execution.stateMachine);
      execution.history.lambdaStates = new Set(
        taskStates(loaded.definition)
          .filter((task) => functionNameOf(task.resource) !== undefined)
          .map((task) => task.name),
      );
      const deps = await this.runnerDeps();
      const result = await runExecution({
        stateMachine: execution.stateMachine,
        name: execution.name,
        input,
        // stepFunctionsApi: nested executions (startExecution.sync:2) start here too, so they are listed.
        deps: {
          ...deps,
          region: this.options.region,
          accountId: this.options.accountId,
          stepFunctionsApi: this,
        },
        overrides: this.options.overrides,
        signal: execution.controller.signal,
        onProgress: (event) => execution.history.record(event),
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
    const names = (await listStateMachines()).sort();
    const { page, nextToken } = pageOf(names, input);
    return {
      stateMachines: page.map((name) => ({
        stateMachineArn: this.stateMachineArn(name),
        name,
        type: 'STANDARD',
        creationDate: 0,
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private async describeStateMachine(input: Record<string, unknown>) {
    const stateMachineArn = requiredStringMember(input, 'stateMachineArn');
    const name = await this.stateMachineNamed(stateMachineArn);
    const loaded = await loadStateMachine(name);
    return {
      stateMachineArn,
      name,
      status: 'ACTIVE',
      definition: await readFile(loaded.path, 'utf8'),
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
