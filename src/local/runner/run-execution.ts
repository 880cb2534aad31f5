// Runs a statemachines/*.asl.json definition in-process with aws-local-stepfunctions: Tasks whose
// resource is `${<Name>FunctionArn}` call functions/<kebab-name>.ts's createHandler(deps) the way
// Lambda would (JSON in, JSON out, errors reduced to a name and a message); AWS service
// integrations run through the integrations map. Returns what DescribeExecution would, plus the
// interpreter's event log and the events the run published.
import '../../polyfills.ts';
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { Clock } from '../../clock.ts';
import { FunctionModuleError, TaskFailure, UnsupportedTaskResourceError } from './errors.ts';
import {
  type IntegrationContext,
  integrations,
  type JsonValue,
  type PublishedEvent,
} from './integrations.ts';
import { functionNameOf, loadStateMachine, resolveFunctionResources, taskStates } from './state-machines.ts';

/** What the functions and integrations of a run may use. Functions take the fields they need. */
export interface RunnerDeps {
  clock: Clock;
  region?: string | undefined;
  accountId?: string | undefined;
  [name: string]: unknown;
}

export interface RunOverrides {
  /** Milliseconds per Wait state name. */
  waitTimeOverrides?: Record<string, number> | undefined;
  /** Milliseconds per state name (or per retrier index), so tests don't sleep through backoff. */
  retryIntervalOverrides?: Record<string, number | number[]> | undefined;
}

export type ExecutionEvent = Awaited<
  ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>
>['value'] & {
  type: string;
  timestamp: number;
};

export interface RunExecutionOptions {
  /** A name in statemachines/ (`import-key-material`) or a path to an .asl.json file. */
  stateMachine: string;
  input: unknown;
  /** Execution name (default: a random UUID). */
  name?: string | undefined;
  deps: RunnerDeps;
  overrides?: RunOverrides | undefined;
  /** Called for every interpreter event, as it happens. */
  onProgress?: ((event: ExecutionEvent) => void) | undefined;
  /** Aborting stops the execution (status ABORTED). */
  signal?: AbortSignal | undefined;
}

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionResult {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: unknown;
  output?: unknown;
  error?: string | undefined;
  cause?: string | undefined;
  startDate: Date;
  stopDate: Date;
  events: ExecutionEvent[];
  /** Events the run put on the bus (events:putEvents), delivered or not. */
  publishedEvents: PublishedEvent[];
}

type LambdaStyleHandler = (event: unknown, context?: Context) => Promise<unknown>;
interface FunctionModule {
  createHandler(deps: RunnerDeps): LambdaStyleHandler;
}

/**
 * The handler modules the workflows name, imported statically (not by file path) so that the
 * compiled CLI (scripts/build.mjs) bundles them and loads each only when a run needs it.
 */
const FUNCTION_MODULES: Record<string, () => Promise<unknown>> = {
  'find-expiring-keys': () => import('../../../functions/find-expiring-keys.ts'),
  'get-parameters-for-import': () => import('../../../functions/get-parameters-for-import.ts'),
  'import-key-material': () => import('../../../functions/import-key-material.ts'),
  'summarize-sweep': () => import('../../../functions/summarize-sweep.ts'),
  'verify-import': () => import('../../../functions/verify-import.ts'),
  'wrap-key-material': () => import('../../../functions/wrap-key-material.ts'),
};

const functionModules = new Map<string, Promise<FunctionModule>>();
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

function loadFunctionModule(functionName: string): Promise<FunctionModule> {
  let loading = functionModules.get(functionName);
  if (!loading) {
    const file = `functions/${functionName}.ts`;
    const importModule = FUNCTION_MODULES[functionName];
    loading = (
      importModule
        ? importModule()
        : Promise.reject(new FunctionModuleError(`${file} is not a known handler module`))
    ).then((loaded) => {
      const module = loaded as Partial<FunctionModule>;
      if (typeof module.createHandler !== 'function') {
        throw new FunctionModuleError(`${file} does not export createHandler(deps)`);
      }
      return module as FunctionModule;
    });
    loading.catch(() => functionModules.delete(functionName));
    functionModules.set(functionName, loading);
  }
  return loading;
}

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
function asTaskHandler(functionName: string, handler: LambdaStyleHandler, region: string, accountId: string) {
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
  const { deps } = options;
  const loaded = await loadStateMachine(options.stateMachine);
  const region = deps.region ?? 'us-east-1';
  const accountId = deps.accountId ?? '111122223333';
  const name = options.name ?? randomUUID();
  const stateMachineArn = `arn:aws:states:${region}:${accountId}:stateMachine:${loaded.name}`;
  const executionArn = `arn:aws:states:${region}:${accountId}:execution:${loaded.name}:${name}`;
  const publishedEvents: PublishedEvent[] = [];
  const overrides = options.overrides ?? {};

  const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
  for (const task of taskStates(loaded.definition)) {
    const functionName = functionNameOf(task.resource);
    if (functionName) {
      const module = await loadFunctionModule(functionName);
      handlers[task.name] = asTaskHandler(functionName, module.createHandler(deps), region, accountId);
      continue;
    }
    const integration = integrations.get(task.resource);
    if (!integration) throw new UnsupportedTaskResourceError(task.name, task.resource);
    const context: IntegrationContext = {
      stateName: task.name,
      execution: { arn: executionArn, name, stateMachineName: loaded.name },
      deps,
      overrides,
      publish: (event) => publishedEvents.push(event),
      signal: options.signal,
    };
    handlers[task.name] = (parameters) => integration(parameters, context);
  }

  // Validating a definition costs ~0.7 s (asl-validator): once per file and process is enough.
  // Keyed by the definition as written: resolving its ARNs does not change what is checked.
  const validatedText = JSON.stringify(loaded.definition);
  const definition = resolveFunctionResources(loaded.definition, region, accountId);
  const machine = new StateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: validatedDefinitions.has(validatedText) ? { noValidate: true } : { checkArn: false },
  });
  validatedDefinitions.add(validatedText);
  const startDate = deps.clock.now();
  const execution = machine.run(options.input as JsonValue, {
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
    },
  });
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
  }
  await collecting;
  return { ...base, ...outcome, stopDate: deps.clock.now() };
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
