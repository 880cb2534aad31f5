// Turns the interpreter's event log (aws-local-stepfunctions) into Step Functions history events,
// as GetExecutionHistory returns them: `TaskStateEntered`, `TaskFailed`, `ExecutionSucceeded`, ...
// with ids, previousEventId and the `<type>EventDetails` member the SDK reads. Retries and catches
// have no history event of their own on AWS (a retried Task shows another TaskFailed), so they are
// not listed.
import type { ExecutionEvent } from '../runner/index.ts';

export interface HistoryEvent {
  timestamp: Date;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

type HistoryEntry = { type: string; details?: [string, Record<string, unknown>] };

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function stateName(event: ExecutionEvent): string {
  const state = (event as { state?: { name?: string } }).state;
  return state?.name ?? '';
}

function stateType(event: ExecutionEvent): string {
  const state = (event as { state?: { type?: string } }).state;
  return state?.type ?? 'Task';
}

function errorInfo(event: ExecutionEvent): { error: string; cause: string } {
  const failed = event as { Error?: unknown; Cause?: unknown };
  const cause = failed.Cause;
  return {
    error: String(failed.Error ?? 'States.TaskFailed'),
    cause: typeof cause === 'string' ? cause : cause instanceof Error ? cause.message : json(cause),
  };
}

/** The AWS history entry for one interpreter event, or undefined when AWS has none for it. */
export function historyEntryOf(event: ExecutionEvent, roleArn: string): HistoryEntry | undefined {
  const fields = event as { input?: unknown; output?: unknown; index?: number };
  const stateData = (event as { state?: { input?: unknown; output?: unknown } }).state;
  switch (event.type) {
    case 'ExecutionStarted':
      return {
        type: 'ExecutionStarted',
        details: [
          'executionStartedEventDetails',
          { input: json(fields.input), inputDetails: { truncated: false }, roleArn },
        ],
      };
    case 'ExecutionSucceeded':
      return {
        type: 'ExecutionSucceeded',
        details: [
          'executionSucceededEventDetails',
          { output: json(fields.output), outputDetails: { truncated: false } },
        ],
      };
    case 'ExecutionFailed':
      return { type: 'ExecutionFailed', details: ['executionFailedEventDetails', errorInfo(event)] };
    case 'ExecutionAborted':
      return { type: 'ExecutionAborted', details: ['executionAbortedEventDetails', {}] };
    case 'ExecutionTimeout':
      return {
        type: 'ExecutionTimedOut',
        details: ['executionTimedOutEventDetails', { error: 'States.Timeout', cause: '' }],
      };
    case 'StateEntered':
      return {
        type: `${stateType(event)}StateEntered`,
        details: [
          'stateEnteredEventDetails',
          { name: stateName(event), input: json(stateData?.input), inputDetails: { truncated: false } },
        ],
      };
    case 'StateExited':
      return {
        type: `${stateType(event)}StateExited`,
        details: [
          'stateExitedEventDetails',
          { name: stateName(event), output: json(stateData?.output), outputDetails: { truncated: false } },
        ],
      };
    case 'StateFailed': {
      const type = stateType(event);
      if (type === 'Task') {
        return {
          type: 'TaskFailed',
          details: [
            'taskFailedEventDetails',
            { resourceType: 'lambda', resource: stateName(event), ...errorInfo(event) },
          ],
        };
      }
      if (type === 'Map' || type === 'Parallel') return { type: `${type}StateFailed` };
      return undefined;
    }
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed': {
      const detailsName = `${event.type.charAt(0).toLowerCase()}${event.type.slice(1)}EventDetails`;
      const parent = (event as { parentState?: { name?: string } }).parentState;
      return {
        type: event.type,
        details: [detailsName, { name: parent?.name ?? '', index: fields.index ?? 0 }],
      };
    }
    default:
      return undefined;
  }
}

/** Appends AWS history events as the interpreter reports them. */
export class HistoryRecorder {
  readonly events: HistoryEvent[] = [];

  constructor(
    private readonly roleArn: string,
    private readonly now: () => Date,
  ) {}

  record(event: ExecutionEvent): void {
    const entry = historyEntryOf(event, this.roleArn);
    if (!entry) return;
    const id = this.events.length + 1;
    const historyEvent: HistoryEvent = {
      timestamp: this.now(),
      type: entry.type,
      id,
      previousEventId: id - 1,
    };
    if (entry.details) historyEvent[entry.details[0]] = entry.details[1];
    this.events.push(historyEvent);
  }
}
