// Nested executions locally: `arn:aws:states:::states:startExecution.sync:2` runs the child state
// machine with the same runner (through the context's runNested) and answers as AWS does (the
// child's DescribeExecution, Output as JSON; a failed child fails the Task with States.TaskFailed
// and that JSON as the cause). Each child is recorded in the run's ExecutionHistory.
import { randomUUID } from 'node:crypto';
import { TaskFailure } from './errors.ts';
import { ExecutionHistory, stateMachineNameOf } from './execution-history.ts';
import type { ExecutionResult, Integration, JsonValue, RunnerDeps, StepFunctionsApi } from './types.ts';

export const START_EXECUTION_SYNC_2 = 'arn:aws:states:::states:startExecution.sync:2';

/** Run deps may carry the history; without one, executions still run, unrecorded. */
function historyOf(deps: RunnerDeps): ExecutionHistory {
  const history = deps.executionHistory;
  return history instanceof ExecutionHistory ? history : new ExecutionHistory();
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
    () => context.runNested({ stateMachine, name, input }),
  );
  const description = describe(result);
  if (result.status !== 'SUCCEEDED') throw new TaskFailure('States.TaskFailed', JSON.stringify(description));
  return description;
};

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
