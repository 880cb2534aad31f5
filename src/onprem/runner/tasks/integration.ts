// How the runner executes task-token states with aws-local-stepfunctions, which has no task tokens
// of its own. For every Task whose resource ends in `.waitForTaskToken`, or is an activity ARN:
//  - the definition handed to the interpreter wraps the state's Parameters as
//    `{ parameters: <Parameters or $>, timeoutSeconds, heartbeatSeconds }` (the *Path variants as
//    `.$` fields, so the interpreter resolves them) and drops the state's own timeouts: they are
//    measured by the TaskTokenRegistry on the run's clock, not by the interpreter's real-time timer;
//  - `$$.Task.Token` resolves to a per-process placeholder, which the state's handler replaces, in
//    every string of the resolved Parameters, with a freshly issued token (so a Map running the
//    state ten times issues ten tokens, and States.Format('...{}', $$.Task.Token) works);
//  - the handler calls the base integration (e.g. events:putEvents) with those Parameters, or queues
//    an activity task with them as input, then awaits the token's outcome.
import { randomBytes } from 'node:crypto';
import { mapStates } from '../../../core/asl/walk.cjs';
import { TaskFailure } from '../errors.ts';
import type { AslDefinition, AslState } from '../state-machines.ts';
import type { Integration, IntegrationContext, JsonValue } from '../types.ts';
import {
  InvalidTaskTimeoutError,
  TaskTokenServiceMissingError,
  UnsupportedCallbackResourceError,
} from './errors.ts';
import { interpreterTimeoutError } from './interpreter-timeout.ts';
import type { IssuedTask } from './registry.ts';
import { TaskTokenService } from './service.ts';

const WAIT_FOR_TASK_TOKEN = '.waitForTaskToken';
const ACTIVITY_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:[^:\s]{1,80}$/;
/**
 * The interpreter's own Task timer is real time and cannot be switched off; this keeps it out of
 * the way (setTimeout's largest delay, ~24.8 days of real time) while the registry keeps the
 * state's real TimeoutSeconds on the run's clock.
 */
const INTERPRETER_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
const TASK_TOKEN_PLACEHOLDER = `byok-task-token-${randomBytes(12).toString('hex')}`;

export type TokenStateKind = 'callback' | 'activity';

/** `callback` for `<integration>.waitForTaskToken`, `activity` for an activity ARN, else undefined. */
export function tokenStateKind(resource: string): TokenStateKind | undefined {
  if (resource.endsWith(WAIT_FOR_TASK_TOKEN)) return 'callback';
  if (ACTIVITY_ARN.test(resource)) return 'activity';
  return undefined;
}

/** `$$.Task` for the run's context object (the interpreter reads `$$` from it). */
export const taskContext = { Token: TASK_TOKEN_PLACEHOLDER } as const;

/** The definition as the interpreter must see it: token states wrapped as described above. */
export function prepareTokenStates(definition: AslDefinition): AslDefinition {
  return mapStates<AslState, AslDefinition>(definition, (_name, state) =>
    state.Type === 'Task' && typeof state.Resource === 'string' && tokenStateKind(state.Resource)
      ? wrapTokenState(state)
      : state,
  );
}

function wrapTokenState(state: AslState): AslState {
  const { TimeoutSeconds, TimeoutSecondsPath, HeartbeatSeconds, HeartbeatSecondsPath, Parameters, ...rest } =
    state;
  const wrapped: Record<string, unknown> =
    Parameters === undefined ? { 'parameters.$': '$' } : { parameters: Parameters };
  if (TimeoutSeconds !== undefined) wrapped.timeoutSeconds = TimeoutSeconds;
  if (TimeoutSecondsPath !== undefined) wrapped['timeoutSeconds.$'] = TimeoutSecondsPath;
  if (HeartbeatSeconds !== undefined) wrapped.heartbeatSeconds = HeartbeatSeconds;
  if (HeartbeatSecondsPath !== undefined) wrapped['heartbeatSeconds.$'] = HeartbeatSecondsPath;
  return { ...rest, Parameters: wrapped, TimeoutSeconds: INTERPRETER_TIMEOUT_SECONDS };
}

interface WrappedInput {
  parameters: JsonValue;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
}

function unwrap(input: JsonValue, token: string): WrappedInput {
  const wrapped = (input ?? {}) as unknown as WrappedInput;
  return { ...wrapped, parameters: withToken(wrapped.parameters, token) };
}

/** Every occurrence of the placeholder, in every string of `value`, becomes `token`. */
function withToken(value: JsonValue, token: string): JsonValue {
  if (typeof value === 'string') return value.split(TASK_TOKEN_PLACEHOLDER).join(token);
  if (Array.isArray(value)) return value.map((item) => withToken(item, token));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withToken(item, token)]));
  }
  return value;
}

function taskService(
  stateName: string,
  resource: string,
  deps: IntegrationContext['deps'],
): TaskTokenService {
  const tasks = deps.tasks;
  if (!(tasks instanceof TaskTokenService)) throw new TaskTokenServiceMissingError(stateName, resource);
  return tasks;
}

/**
 * The integration that runs a token state, or undefined when `resource` is not one. `base` finds
 * the integration a `.waitForTaskToken` resource extends. Throws at setup (not mid-run) when the
 * run has no TaskTokenService or the base integration does not exist.
 */
export function tokenStateIntegration(
  stateName: string,
  resource: string,
  deps: IntegrationContext['deps'],
  base: (resource: string) => Integration | undefined,
): Integration | undefined {
  const kind = tokenStateKind(resource);
  if (!kind) return undefined;
  const tasks = taskService(stateName, resource, deps);
  if (kind === 'activity') {
    return async (input, context) => {
      const raw = (input ?? {}) as unknown as WrappedInput;
      const issued = opened(() =>
        tasks.startActivityTask({
          executionArn: context.execution.arn,
          stateName,
          activityArn: resource,
          input: (token) => unwrap(input, token).parameters,
          timeoutSeconds: raw.timeoutSeconds,
          heartbeatSeconds: raw.heartbeatSeconds,
        }),
      );
      return awaitOutcome(tasks, issued, context);
    };
  }
  const baseResource = resource.slice(0, -WAIT_FOR_TASK_TOKEN.length);
  const call = base(baseResource);
  if (!call) throw new UnsupportedCallbackResourceError(stateName, resource);
  return async (input, context) => {
    // A run resumed after a restart re-enters the state it was waiting in: the call went out before
    // the restart, so it is not made again; the state waits for the task adopted under its token.
    const resumedToken = context.takeResumedToken?.(stateName);
    if (resumedToken !== undefined) {
      const adopted = tasks.takeAdopted(resumedToken);
      if (!adopted) {
        throw new TaskFailure(
          'States.Runtime',
          `state ${stateName}: the task this execution waited for before the restart was not reopened`,
        );
      }
      return awaitOutcome(tasks, adopted, context);
    }
    const raw = (input ?? {}) as unknown as WrappedInput;
    const issued = opened(() =>
      tasks.startCallbackTask({
        executionArn: context.execution.arn,
        stateName,
        timeoutSeconds: raw.timeoutSeconds,
        heartbeatSeconds: raw.heartbeatSeconds,
      }),
    );
    try {
      await call(unwrap(input, issued.token).parameters, context);
    } catch (error) {
      tasks.registry.cancel(issued.token);
      throw error;
    }
    tasks.callbackDelivered(issued.token, context.execution.arn);
    return awaitOutcome(tasks, issued, context);
  };
}

/** Opens a task; timeouts Step Functions would refuse fail the state as States.Runtime, as there. */
function opened(open: () => IssuedTask): IssuedTask {
  try {
    return open();
  } catch (error) {
    if (error instanceof InvalidTaskTimeoutError) throw new TaskFailure('States.Runtime', error.message);
    throw error;
  }
}

/** The run has ended: its open tasks close (a late SendTask* gets TaskTimedOut). */
export function closeTokenTasks(deps: IntegrationContext['deps'], executionArn: string): void {
  if (deps.tasks instanceof TaskTokenService) deps.tasks.cancelExecution(executionArn);
}

async function awaitOutcome(
  tasks: TaskTokenService,
  issued: { token: string; outcome: Promise<JsonValue> },
  context: IntegrationContext,
): Promise<JsonValue> {
  const onAbort = () => tasks.registry.cancel(issued.token);
  context.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await issued.outcome;
  } catch (error) {
    // The registry's States.Timeout, as the interpreter's own (not matched by States.TaskFailed).
    if (error instanceof TaskFailure && error.name === 'States.Timeout')
      throw await interpreterTimeoutError();
    throw error;
  } finally {
    context.signal?.removeEventListener('abort', onAbort);
  }
}
