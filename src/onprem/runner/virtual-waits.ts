// Wait states on a run's own timers. The interpreter (aws-local-stepfunctions) sleeps through a
// Wait state in real time; a run whose deps carry `timers` (simulated time: bench/fleet.ts) must
// sleep on those instead. So before such a run the runner replaces each Wait state with a Task this
// module answers, keeping its name, InputPath, OutputPath, Next/End and its Seconds, Timestamp,
// SecondsPath or TimestampPath (moved into the Task's Parameters, so the interpreter evaluates the
// paths exactly as written). The Task waits until the instant the Wait would end and returns its
// effective input, which is what a Wait state outputs.
import { mapStates } from '../../core/asl/walk.cjs';
import { TaskFailure } from './errors.ts';
import type { AslDefinition, AslState } from './state-machines.ts';
import type { JsonValue, RunTimers } from './types.ts';

/** The resource of the Task that stands for a Wait state on simulated time (never deployed). */
export const VIRTUAL_WAIT_RESOURCE = 'arn:aws:states:::byok-local:wait';

const WAIT_TIMEOUT_SECONDS = 2_147_483;
const KEPT = ['InputPath', 'OutputPath', 'Next', 'End', 'Comment'] as const;

/**
 * The definition for a run on simulated time: every Wait state (at any depth) replaced by its
 * stand-in Task, and no real-time timeout left. The interpreter times Tasks (TimeoutSeconds, 60 s
 * by default) and the execution (top-level TimeoutSeconds) with real timers; on simulated time work
 * takes no time at all, so a real-time timeout would only measure how busy this machine is: every
 * timeout is set to the longest a Node.js timer takes.
 */
export function rewriteWaitStates(definition: AslDefinition): AslDefinition {
  const rewritten = mapStates<AslState, AslDefinition>(definition, (_name, state) => {
    if (state.Type === 'Task') {
      const { TimeoutSecondsPath: _path, ...task } = state;
      return { ...task, TimeoutSeconds: WAIT_TIMEOUT_SECONDS };
    }
    if (state.Type !== 'Wait') return state;
    const parameters: Record<string, unknown> = { 'input.$': '$' };
    if (state.Seconds !== undefined) parameters.seconds = state.Seconds;
    if (state.Timestamp !== undefined) parameters.timestamp = state.Timestamp;
    if (state.SecondsPath !== undefined) parameters['seconds.$'] = state.SecondsPath;
    if (state.TimestampPath !== undefined) parameters['timestamp.$'] = state.TimestampPath;
    const task: AslState = {
      Type: 'Task',
      Resource: VIRTUAL_WAIT_RESOURCE,
      Parameters: parameters,
      // A Wait has no timeout; the interpreter gives a Task 60 s of real time unless told (this is
      // the longest a Node.js timer takes).
      TimeoutSeconds: WAIT_TIMEOUT_SECONDS,
    };
    for (const field of KEPT) if (state[field] !== undefined) task[field] = state[field];
    return task;
  });
  return definition.TimeoutSeconds === undefined
    ? rewritten
    : { ...rewritten, TimeoutSeconds: WAIT_TIMEOUT_SECONDS };
}

/**
 * The stand-in Task's handler: sleeps on `timers` until the Wait would end (`overrideMs`, the
 * run's waitTimeOverrides for the state, replaces the duration), then passes the input on.
 */
export function virtualWait(
  stateName: string,
  timers: RunTimers,
  overrideMs: number | undefined,
  signal: AbortSignal | undefined,
) {
  return async (parameters: JsonValue): Promise<JsonValue> => {
    const { input, seconds, timestamp } = (parameters ?? {}) as {
      input?: JsonValue;
      seconds?: unknown;
      timestamp?: unknown;
    };
    let until: number;
    if (overrideMs !== undefined) until = timers.now() + overrideMs;
    else if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0)
      until = timers.now() + seconds * 1000;
    else if (typeof timestamp === 'string' && Number.isFinite(Date.parse(timestamp)))
      until = Date.parse(timestamp);
    else {
      // What Step Functions answers when a Wait's path does not hold a number or a timestamp.
      throw new TaskFailure(
        'States.Runtime',
        `${stateName}: the Wait state's ${seconds !== undefined ? 'seconds' : 'timestamp'} is not valid: ${JSON.stringify(seconds ?? timestamp)}`,
      );
    }
    await timers.sleepUntil(until, signal);
    return input ?? null;
  };
}
