// Runs a statemachines/*.asl.json definition in-process with aws-local-stepfunctions: Tasks whose
// resource is `${<Name>FunctionArn}` call the step function of that name in the registry
// (src/core/steps/registry.ts) with createHandler(deps), the way Lambda would (JSON in, JSON out, errors reduced to a name and a message); AWS service
// integrations run through the table in integrations.ts. Returns what DescribeExecution would, plus the
// interpreter's event log and the events the run published.
import '../../core/polyfills.ts';
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { StepFunction, StepHandler } from '../../core/step-kernel/define-step.ts';
import { isStepFunctionName, STEP_FUNCTIONS, type StepFunctionDeps } from '../../core/steps/registry.ts';
import { DISTRIBUTED_MAP_RESOURCE, rewriteDistributedMaps, runDistributedMap } from './distributed-map.ts';
import { ExecutionNotResumableError, TaskFailure, UnsupportedTaskResourceError } from './errors.ts';
import { ExecutionHistory } from './execution-history.ts';
import { applyHsmPlacement, localActivityArn } from './hsm-placement.ts';
import { INTEGRATIONS } from './integrations.ts';
import { scheduledInvocationsOf } from './scheduled-invocations.ts';
import { START_EXECUTION_SYNC_2 } from './start-execution-sync.ts';
import {
  type AslDefinition,
  functionNameOf,
  type LoadedStateMachine,
  loadStateMachine,
  resolveFunctionResources,
  taskStates,
} from './state-machines.ts';
import { rewriteTaskCredentials, withTaskCredentials } from './task-credentials.ts';
import {
  closeTokenTasks,
  prepareTokenStates,
  taskContext,
  tokenStateIntegration,
  tokenStateKind,
} from './tasks/integration.ts';
import type {
  ExecutionEvent,
  ExecutionResult,
  IntegrationContext,
  JsonValue,
  PublishedEvent,
  RunActivity,
  RunnerDeps,
  RunOverrides,
  RunTimers,
} from './types.ts';
import { rewriteWaitStates, VIRTUAL_WAIT_RESOURCE, virtualWait } from './virtual-waits.ts';

export type {
  ExecutionEvent,
  ExecutionResult,
  RunnerDeps,
  RunOverrides,
} from './types.ts';

export interface RunExecutionOptions {
  /** A name in statemachines/ (`import-key-material`) or a path to an .asl.json file. */
  stateMachine: string;
  /**
   * The definition itself, instead of the file `stateMachine` names: a Distributed Map's
   * ItemProcessor, run as a child execution named `<parent>/<map label>`.
   */
  definition?: AslDefinition | undefined;
  /**
   * A definition made through the API (CreateStateMachine), run under `stateMachine` as its name:
   * its Tasks are activities and AWS integrations only (no `${<Name>FunctionArn}` placeholder runs
   * byok's step functions, and no HSM placement applies), as anyone's state machine on AWS.
   */
  createdDefinition?: AslDefinition | undefined;
  input: unknown;
  /** Execution name (default: a random UUID). */
  name?: string | undefined;
  deps: RunnerDeps;
  overrides?: RunOverrides | undefined;
  /** Called for every interpreter event, as it happens. */
  onProgress?: ((event: ExecutionEvent) => void) | undefined;
  /** Aborting stops the execution (status ABORTED). */
  signal?: AbortSignal | undefined;
  /**
   * Resumes an execution a stopped stack left waiting for a task token: the run starts at that
   * state (a top-level `.waitForTaskToken` Task) with the input it had entered it with, and the
   * state waits for the task adopted under `token` (TaskTokenService.adoptCallbackTask) instead of
   * making its call again. Anything else cannot be resumed: ExecutionNotResumableError.
   */
  resumeAt?: ResumePoint | undefined;
}

export interface ResumePoint {
  stateName: string;
  /** The state's input when it was entered (before its InputPath and Parameters). */
  input: unknown;
  token: string;
}

/** Whether the run can resume at this state: a top-level Task that waits for a task token by callback. */
function checkResumable(definition: AslDefinition, stateName: string): void {
  const state = definition.States[stateName];
  const resource = state?.Type === 'Task' && typeof state.Resource === 'string' ? state.Resource : '';
  if (tokenStateKind(resource) !== 'callback') throw new ExecutionNotResumableError(stateName);
}

/**
 * The shipped definitions (statemachines/*.asl.json, as parsed) that scripts/build.mjs validated
 * with this same validator when it compiled the CLI, so that a `byok` process does not spend its
 * start validating them again. Defined only in the compiled CLI; elsewhere every definition is
 * validated once per process.
 */
declare const __BYOK_PREVALIDATED_DEFINITIONS__: readonly string[] | undefined;
const validatedDefinitions = new Set<string>(
  typeof __BYOK_PREVALIDATED_DEFINITIONS__ === 'undefined' ? [] : __BYOK_PREVALIDATED_DEFINITIONS__,
);

function lambdaContext(functionName: string, region: string, accountId: string): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, 60_000 - (Date.now() - started)),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** Lambda semantics: the payload crosses a JSON boundary both ways; a failure is a name and a message. */
function asTaskHandler(
  functionName: string,
  handler: StepHandler<unknown>,
  region: string,
  accountId: string,
) {
  return async (input: JsonValue): Promise<JsonValue> => {
    try {
      const output = await handler(structuredClone(input), lambdaContext(functionName, region, accountId));
      return output === undefined ? null : (JSON.parse(JSON.stringify(output)) as JsonValue);
    } catch (error) {
      if (error instanceof Error) throw new TaskFailure(error.name, error.message);
      throw new TaskFailure('Error', String(error));
    }
  };
}

export async function runExecution(options: RunExecutionOptions): Promise<ExecutionResult> {
  // A driver of simulated time must not move it while an execution starts (loading its definition
  // is I/O no Task counts): the start is work in flight until the first state has begun.
  const starting = (options.deps.activity as RunActivity | undefined)?.begin() ?? (() => {});
  try {
    return await runStarting(options, starting);
  } finally {
    starting();
  }
}

async function runStarting(options: RunExecutionOptions, started: () => void): Promise<ExecutionResult> {
  const { deps } = options;
  const created = options.createdDefinition !== undefined;
  const given = options.createdDefinition ?? options.definition;
  const loaded: LoadedStateMachine = given
    ? { name: options.stateMachine, path: options.stateMachine, definition: given }
    : await loadStateMachine(options.stateMachine);
  const region = deps.region ?? 'us-east-1';
  const accountId = deps.accountId ?? '111122223333';
  const name = options.name ?? randomUUID();
  const stateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:${loaded.name}`;
  const executionArn = `arn:aws:states:${region}:${accountId}:execution:${loaded.name}:${name}`;
  const publishedEvents: PublishedEvent[] = [];
  const overrides = options.overrides ?? {};

  const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
  const scheduled = scheduledInvocationsOf(deps);
  const stepDeps = (functionName: string): StepFunctionDeps => ({
    ...deps,
    scheduledInvocations: scheduled.forFunction(functionName),
  });
  const invokers = new Map<string, Promise<(input: JsonValue) => Promise<JsonValue>>>();
  const invokeFunction = async (functionName: string, payload: JsonValue): Promise<JsonValue> => {
    let invoker = invokers.get(functionName);
    if (!invoker) {
      if (!isStepFunctionName(functionName)) {
        throw new TaskFailure('Lambda.ResourceNotFoundException', `Function not found: ${functionName}`);
      }
      const step: StepFunction<StepFunctionDeps, unknown> = STEP_FUNCTIONS[functionName];
      invoker = Promise.resolve(
        asTaskHandler(functionName, step.createHandler(stepDeps(functionName)), region, accountId),
      );
      invokers.set(functionName, invoker);
    }
    const invoke = await invoker;
    // lambda:invoke from a shipped definition (AwaitApproval) is byok's own execution scheduling
    // the function, as the history's TaskScheduled records it; from a created one it is not.
    return created
      ? invoke(payload)
      : scheduled.during(executionArn, functionName, payload, () => invoke(payload));
  };
  // The HSM steps run as the Lambda-style function or as an activity a worker polls (deps.hsmPlacement).
  const activity = deps.activity as RunActivity | undefined;
  const hsmPlaced = created
    ? loaded.definition
    : applyHsmPlacement(loaded.definition, deps.hsmPlacement ?? 'lambda', (step) =>
        localActivityArn(step, region, accountId),
      );
  // What the interpreter cannot run itself: Distributed Maps (a Map Run of child executions) and
  // Task Credentials (distributed-map.ts, task-credentials.ts).
  const distributed = rewriteDistributedMaps(hsmPlaced);
  // On simulated time (deps.timers) Wait states sleep on it, not in real time (virtual-waits.ts).
  const timers = deps.timers as RunTimers | undefined;
  const placed = rewriteTaskCredentials(
    timers ? rewriteWaitStates(distributed.definition) : distributed.definition,
  );
  const resume = options.resumeAt;
  if (resume) checkResumable(placed, resume.stateName);
  let resumeToken = resume?.token;
  const takeResumedToken = (stateName: string): string | undefined => {
    if (!resume || stateName !== resume.stateName || resumeToken === undefined) return undefined;
    const token = resumeToken;
    resumeToken = undefined;
    return token;
  };
  const runChild = (child: {
    definition: AslDefinition;
    stateMachineName: string;
    name: string;
    input: unknown;
  }) =>
    historyOf(deps).run(child.stateMachineName, child.name, child.input, `execution:${executionArn}`, () =>
      runExecution({
        stateMachine: child.stateMachineName,
        ...(created ? { createdDefinition: child.definition } : { definition: child.definition }),
        name: child.name,
        input: child.input,
        deps,
        overrides,
        signal: options.signal,
      }),
    );
  for (const task of taskStates(placed)) {
    const functionName = created ? undefined : functionNameOf(task.resource);
    if (functionName) {
      if (!isStepFunctionName(functionName)) throw new UnsupportedTaskResourceError(task.name, task.resource);
      const step: StepFunction<StepFunctionDeps, unknown> = STEP_FUNCTIONS[functionName];
      const handler = asTaskHandler(
        functionName,
        step.createHandler(stepDeps(functionName)),
        region,
        accountId,
      );
      // As Step Functions' history records a scheduled Lambda's input: this execution scheduled it.
      handlers[task.name] = counted(activity, (payload: JsonValue) =>
        scheduled.during(executionArn, functionName, payload, () => handler(payload)),
      );
      continue;
    }
    if (timers && task.resource === VIRTUAL_WAIT_RESOURCE) {
      handlers[task.name] = virtualWait(
        task.name,
        timers,
        overrides.waitTimeOverrides?.[task.name],
        options.signal,
      );
      continue;
    }
    const map = task.resource === DISTRIBUTED_MAP_RESOURCE ? distributed.maps.get(task.name) : undefined;
    const found = map
      ? (parameters: JsonValue, context: IntegrationContext) =>
          runDistributedMap(map, parameters, context, runChild)
      : (INTEGRATIONS.get(task.resource) ??
        tokenStateIntegration(task.name, task.resource, deps, (base) => INTEGRATIONS.get(base)));
    if (!found) throw new UnsupportedTaskResourceError(task.name, task.resource);
    const integration = withTaskCredentials(found);
    const context: IntegrationContext = {
      stateName: task.name,
      execution: { arn: executionArn, name, stateMachineName: loaded.name },
      deps,
      overrides,
      publish: (event) => publishedEvents.push(event),
      runNested: (nested) => runExecution({ ...nested, deps, overrides, signal: options.signal }),
      signal: options.signal,
      invokeFunction,
      takeResumedToken,
    };
    // Nested executions and Map Runs only wait for children, which count for themselves.
    const waitsForChildren = map !== undefined || task.resource === START_EXECUTION_SYNC_2;
    handlers[task.name] = waitsForChildren
      ? (parameters) => integration(parameters, context)
      : counted(activity, (parameters: JsonValue) => integration(parameters, context));
  }

  const prepared = prepareTokenStates(created ? placed : resolveFunctionResources(placed, region, accountId));
  const definition = resume ? { ...prepared, StartAt: resume.stateName } : prepared;
  // Validating a definition costs ~0.7 s (asl-validator): once per file and process is enough.
  // Keyed by the definition as written: resolving its ARNs does not change what is checked.
  const validatedText = JSON.stringify(loaded.definition);
  const machine = new StateMachine(definition as unknown as StateMachineDefinition, {
    // A resumed run's definition is the shipped one entered elsewhere (its StartAt moved).
    validationOptions:
      resume || validatedDefinitions.has(validatedText) ? { noValidate: true } : { checkArn: false },
  });
  if (!resume) validatedDefinitions.add(validatedText);
  const startDate = deps.clock.now();
  const execution = machine.run((resume ? resume.input : options.input) as JsonValue, {
    overrides: {
      taskResourceLocalHandlers: handlers,
      ...(overrides.waitTimeOverrides ? { waitTimeOverrides: overrides.waitTimeOverrides } : {}),
      ...(overrides.retryIntervalOverrides
        ? { retryIntervalOverrides: overrides.retryIntervalOverrides }
        : {}),
    },
    context: {
      Execution: { Id: executionArn, Name: name },
      StateMachine: { Id: stateMachineArn, Name: loaded.name },
      Task: taskContext,
    },
  });
  // The first state begins within this turn's microtasks (a Task counts itself from there).
  setImmediate(started);
  const onAbort = () => execution.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) execution.abort();

  const events: ExecutionEvent[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) {
      events.push(event as ExecutionEvent);
      options.onProgress?.(event as ExecutionEvent);
    }
  })();

  const base = {
    executionArn,
    stateMachineArn,
    name,
    input: options.input,
    startDate,
    events,
    publishedEvents,
  };
  let outcome: Pick<ExecutionResult, 'status' | 'output' | 'error' | 'cause'>;
  try {
    outcome = { status: 'SUCCEEDED', output: await execution.result };
  } catch (error) {
    outcome = failureOutcome(error);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    closeTokenTasks(deps, executionArn);
  }
  await collecting;
  return { ...base, ...outcome, stopDate: deps.clock.now() };
}

function counted<T extends (...args: never[]) => Promise<unknown>>(
  activity: RunActivity | undefined,
  handler: T,
): T {
  if (!activity) return handler;
  return (async (...args: Parameters<T>) => {
    const end = activity.slot ? await activity.slot() : activity.begin();
    try {
      return await handler(...args);
    } finally {
      end();
    }
  }) as T;
}

/** Run deps may carry the history (what `byok simulate` counts); without one, children run unrecorded. */
function historyOf(deps: RunnerDeps): ExecutionHistory {
  const history = deps.executionHistory;
  return history instanceof ExecutionHistory ? history : new ExecutionHistory();
}

function failureOutcome(error: unknown): Pick<ExecutionResult, 'status' | 'error' | 'cause'> {
  if (error instanceof ExecutionTimeoutError) {
    return {
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      cause: 'the execution exceeded its TimeoutSeconds',
    };
  }
  if (error instanceof ExecutionAbortedError) return { status: 'ABORTED' };
  if (error instanceof ExecutionError && error.cause instanceof Error) {
    return { status: 'FAILED', error: error.cause.name, cause: error.cause.message };
  }
  throw error;
}
