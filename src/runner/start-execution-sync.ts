// Nested executions locally: `arn:aws:states:::states:startExecution.sync:2` runs the child state
// machine with the same runner and answers as AWS does (the child's DescribeExecution, Output as
// JSON; a failed child fails the Task with States.TaskFailed and that JSON as the cause). Also the
// EventBridge target handler that starts local executions for rules, and the history of every
// execution started either way (what `byok simulate` counts).
import { randomUUID } from 'node:crypto';
import { TaskFailure } from './errors.ts';
import { type Integration, type JsonValue, registerIntegration } from './integrations.ts';
import { type ExecutionResult, type RunnerDeps, type RunOverrides, runExecution } from './run-execution.ts';

export const START_EXECUTION_SYNC_2 = 'arn:aws:states:::states:startExecution.sync:2';

export interface ExecutionRecord {
  executionArn: string;
  stateMachine: string;
  name: string;
  status: ExecutionResult['status'] | 'RUNNING';
  startDate: Date;
  stopDate?: Date | undefined;
  input: unknown;
  output?: unknown;
  error?: string | undefined;
  cause?: string | undefined;
  /** `rule:<name>` or `execution:<parent arn>`. */
  startedBy: string;
  /** Error names of every state failure in the run, retried or not (e.g. ThrottlingException). */
  stateErrors: string[];
}

/** Every execution started locally by a rule or a parent, in start order; names are unique per machine. */
export class ExecutionHistory {
  private readonly records: ExecutionRecord[] = [];
  private readonly running = new Map<string, { input: string; done: Promise<ExecutionResult> }>();

  list(): readonly ExecutionRecord[] {
    return this.records;
  }

  failed(): ExecutionRecord[] {
    return this.records.filter((record) => record.status !== 'SUCCEEDED' && record.status !== 'RUNNING');
  }

  /**
   * Runs one execution under a unique name. Like StartExecution on a STANDARD workflow: the same
   * name and input as a running execution joins it; a name already used otherwise is refused.
   */
  async run(
    stateMachine: string,
    name: string,
    input: unknown,
    startedBy: string,
    start: () => Promise<ExecutionResult>,
  ): Promise<ExecutionResult> {
    const key = `${stateMachine}:${name}`;
    const inputText = JSON.stringify(input);
    const active = this.running.get(key);
    if (active && active.input === inputText) return active.done;
    if (
      active ||
      this.records.some((record) => record.stateMachine === stateMachine && record.name === name)
    ) {
      throw new TaskFailure(
        'StepFunctions.ExecutionAlreadyExistsException',
        `Execution Already Exists: '${name}' of state machine ${stateMachine}`,
      );
    }
    const record: ExecutionRecord = {
      executionArn: '',
      stateMachine,
      name,
      status: 'RUNNING',
      startDate: new Date(),
      input,
      startedBy,
      stateErrors: [],
    };
    this.records.push(record);
    const done = start();
    this.running.set(key, { input: inputText, done });
    try {
      const result = await done;
      Object.assign(record, {
        executionArn: result.executionArn,
        status: result.status,
        startDate: result.startDate,
        stopDate: result.stopDate,
        output: result.output,
        error: result.error,
        cause: result.cause,
        stateErrors: result.events.flatMap((event) =>
          event.type === 'StateFailed' && 'Error' in event ? [String(event.Error)] : [],
        ),
      });
      return result;
    } catch (error) {
      Object.assign(record, {
        status: 'FAILED',
        error: error instanceof Error ? error.name : 'Error',
        cause: error instanceof Error ? error.message : String(error),
      });
      throw error;
    } finally {
      this.running.delete(key);
    }
  }
}

/** Run deps may carry the history; without one, executions still run, unrecorded. */
function historyOf(deps: RunnerDeps): ExecutionHistory {
  const history = deps.executionHistory;
  return history instanceof ExecutionHistory ? history : new ExecutionHistory();
}

/**
 * `${ImportKeyMaterialStateMachineArn}` (the ASL placeholder) or a local state machine ARN
 * `arn:aws:states:<region>:<account>:stateMachine:import-key-material` -> `import-key-material`.
 */
export function stateMachineNameOf(arn: string): string | undefined {
  const placeholder = /^\$\{([A-Z][A-Za-z0-9]*)StateMachineArn\}$/.exec(arn);
  if (placeholder?.[1]) return placeholder[1].replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  const local = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:([a-z0-9-]+)$/.exec(arn);
  return local?.[1];
}

function describe(result: ExecutionResult): { [key: string]: JsonValue } {
  return {
    ExecutionArn: result.executionArn,
    StateMachineArn: result.stateMachineArn,
    Name: result.name,
    StartDate: result.startDate.getTime(),
    StopDate: result.stopDate.getTime(),
    Status: result.status,
    Input: (result.input ?? null) as JsonValue,
    InputDetails: { Included: true },
    ...(result.status === 'SUCCEEDED'
      ? { Output: (result.output ?? null) as JsonValue, OutputDetails: { Included: true } }
      : { Error: result.error ?? 'States.TaskFailed', Cause: result.cause ?? '' }),
  };
}

export const startExecutionSync: Integration = async (parameters, context) => {
  const fields = (parameters ?? {}) as { [key: string]: JsonValue };
  const arn = fields.StateMachineArn;
  const stateMachine = typeof arn === 'string' ? stateMachineNameOf(arn) : undefined;
  if (!stateMachine) {
    throw new TaskFailure('StepFunctions.InvalidArnException', `Invalid State Machine Arn: '${String(arn)}'`);
  }
  const name = typeof fields.Name === 'string' ? fields.Name : randomUUID();
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
    throw new TaskFailure('StepFunctions.InvalidNameException', `Invalid Name: '${name}'`);
  }
  const rawInput = fields.Input;
  const input = typeof rawInput === 'string' ? (JSON.parse(rawInput) as unknown) : (rawInput ?? {});
  const api = context.deps.stepFunctionsApi as StepFunctionsApi | undefined;
  if (api && typeof api.handle === 'function') {
    return startThroughApi(api, context.deps as RunnerDeps, stateMachine, name, input, context.signal);
  }
  const result = await historyOf(context.deps as RunnerDeps).run(
    stateMachine,
    name,
    input,
    `execution:${context.execution.arn}`,
    () =>
      runExecution({
        stateMachine,
        name,
        input,
        deps: context.deps as RunnerDeps,
        overrides: context.overrides,
        signal: context.signal,
      }),
  );
  const description = describe(result);
  if (result.status !== 'SUCCEEDED') throw new TaskFailure('States.TaskFailed', JSON.stringify(description));
  return description;
};

registerIntegration(START_EXECUTION_SYNC_2, startExecutionSync);

/** What an EventBridge target handler looks like (src/local/events/event-bus.ts, structurally). */
export interface StateMachineTargetHandler {
  matches(arn: string): boolean;
  deliver(delivery: { ruleName: string; targetArn: string; input: string }): Promise<string>;
}

/**
 * Lets EventBridge rules start local executions, as a rule targeting a state machine does on AWS.
 * Each delivery runs to completion before it resolves, so on the virtual clock a scheduled sweep is
 * over before time moves on. A failed execution fails the delivery.
 */
export function createStateMachineTargetHandler(options: {
  deps: RunnerDeps;
  history: ExecutionHistory;
  overrides?: RunOverrides | undefined;
}): StateMachineTargetHandler {
  return {
    matches: (arn) => stateMachineNameOf(arn) !== undefined && arn.startsWith('arn:'),
    async deliver(delivery) {
      const stateMachine = stateMachineNameOf(delivery.targetArn) as string;
      const input: unknown = JSON.parse(delivery.input);
      const name = randomUUID();
      const deps = { ...options.deps, executionHistory: options.history };
      const result = await options.history.run(stateMachine, name, input, `rule:${delivery.ruleName}`, () =>
        runExecution({ stateMachine, name, input, deps, overrides: options.overrides }),
      );
      if (result.status !== 'SUCCEEDED') {
        throw new Error(
          `execution ${result.executionArn} ${result.status}: ${result.error ?? ''} ${result.cause ?? ''}`,
        );
      }
      return result.executionArn;
    },
  };
}

/** The local Step Functions API (src/local/stepfunctions), structurally. */
export interface StepFunctionsApi {
  handle(operation: string, input: Record<string, unknown>): Promise<unknown>;
  idle(): Promise<void>;
}

/**
 * Lets EventBridge rules start executions through the local Step Functions API (what `byok local
 * up` serves), so they show in ListExecutions and `byok start`'s views. Resolves when the
 * execution has ended; a failed execution fails the delivery.
 */
export function createStepFunctionsApiTargetHandler(api: StepFunctionsApi): StateMachineTargetHandler {
  return {
    matches: (arn) => stateMachineNameOf(arn) !== undefined && arn.startsWith('arn:'),
    async deliver(delivery) {
      const started = (await api.handle('StartExecution', {
        stateMachineArn: delivery.targetArn,
        input: delivery.input,
      })) as { executionArn: string };
      await api.idle();
      const described = (await api.handle('DescribeExecution', { executionArn: started.executionArn })) as {
        status: string;
        error?: string;
        cause?: string;
      };
      if (described.status !== 'SUCCEEDED') {
        throw new Error(
          `execution ${started.executionArn} ${described.status}: ${described.error ?? ''} ${described.cause ?? ''}`,
        );
      }
      return started.executionArn;
    },
  };
}

const POLL_MS = 20;

/**
 * Under the local Step Functions API (`byok local up`) the child starts through it, as on AWS: it
 * is listed by ListExecutions and has its own history. Waits for it by polling DescribeExecution
 * (waiting for the API to be idle would wait for the parent too).
 */
async function startThroughApi(
  api: StepFunctionsApi,
  deps: RunnerDeps,
  stateMachine: string,
  name: string,
  input: unknown,
  signal: AbortSignal | undefined,
): Promise<JsonValue> {
  const stateMachineArn = `arn:aws:states:${deps.region ?? 'us-east-1'}:${deps.accountId ?? '111122223333'}:stateMachine:${stateMachine}`;
  let started: { executionArn: string };
  try {
    started = (await api.handle('StartExecution', {
      stateMachineArn,
      name,
      input: JSON.stringify(input),
    })) as {
      executionArn: string;
    };
  } catch (error) {
    const type = (error as { type?: unknown }).type;
    if (typeof type !== 'string') throw error;
    throw new TaskFailure(
      `StepFunctions.${type.endsWith('Exception') ? type : `${type}Exception`}`,
      error instanceof Error ? error.message : type,
    );
  }
  for (;;) {
    const described = (await api.handle('DescribeExecution', { executionArn: started.executionArn })) as {
      status: string;
      startDate: number;
      stopDate?: number;
      output?: string;
      error?: string;
      cause?: string;
    };
    if (described.status !== 'RUNNING') {
      const description: { [key: string]: JsonValue } = {
        ExecutionArn: started.executionArn,
        StateMachineArn: stateMachineArn,
        Name: name,
        StartDate: Math.round(described.startDate * 1000),
        StopDate: Math.round((described.stopDate ?? described.startDate) * 1000),
        Status: described.status,
        Input: (input ?? null) as JsonValue,
        InputDetails: { Included: true },
        ...(described.status === 'SUCCEEDED'
          ? { Output: JSON.parse(described.output ?? 'null') as JsonValue, OutputDetails: { Included: true } }
          : { Error: described.error ?? 'States.TaskFailed', Cause: described.cause ?? '' }),
      };
      if (described.status !== 'SUCCEEDED')
        throw new TaskFailure('States.TaskFailed', JSON.stringify(description));
      return description;
    }
    if (signal?.aborted) {
      await api.handle('StopExecution', { executionArn: started.executionArn }).catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
