// Turns the interpreter's event log (aws-local-stepfunctions) into Step Functions history events,
// as GetExecutionHistory returns them: `TaskStateEntered`, `LambdaFunctionScheduled`,
// `LambdaFunctionFailed`, `TaskSucceeded`, `ExecutionSucceeded`, ... with ids, previousEventId and
// the `<type>EventDetails` member the SDK reads. A Task whose resource is a Lambda function reports
// LambdaFunction* events, other Tasks (service integrations) Task* events, as on AWS. Retries and
// catches have no history event of their own on AWS (a retried Task shows another failure), so
// they are not listed.
import type { InterpreterEvent as ExecutionEvent } from './engine.ts';

export interface HistoryEvent {
  timestamp: Date;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

type HistoryEntry = { type: string; details?: [string, Record<string, unknown>] };

/** Which Task states call a Lambda function (the others are service integrations). */
export type LambdaStates = ReadonlySet<string>;

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

/** The AWS history entries for one interpreter event (none when AWS has none for it). */
function historyEntriesOf(
  event: ExecutionEvent,
  roleArn: string,
  lambdaStates: LambdaStates,
): HistoryEntry[] {
  const entry = historyEntryOf(event, roleArn, lambdaStates);
  const name = stateName(event);
  const isTask = stateType(event) === 'Task';
  const isLambda = lambdaStates.has(name);
  if (event.type === 'StateEntered' && isTask && entry) {
    return isLambda
      ? [
          entry,
          {
            type: 'LambdaFunctionScheduled',
            details: ['lambdaFunctionScheduledEventDetails', { resource: name }],
          },
          { type: 'LambdaFunctionStarted' },
        ]
      : [
          entry,
          {
            type: 'TaskScheduled',
            details: ['taskScheduledEventDetails', { resourceType: 'states', resource: name }],
          },
          {
            type: 'TaskStarted',
            details: ['taskStartedEventDetails', { resourceType: 'states', resource: name }],
          },
        ];
  }
  if (event.type === 'StateExited' && isTask && entry) {
    const stateData = (event as { state?: { output?: unknown } }).state;
    return [
      isLambda
        ? {
            type: 'LambdaFunctionSucceeded',
            details: ['lambdaFunctionSucceededEventDetails', { output: json(stateData?.output) }],
          }
        : {
            type: 'TaskSucceeded',
            details: [
              'taskSucceededEventDetails',
              { resourceType: 'states', resource: name, output: json(stateData?.output) },
            ],
          },
      entry,
    ];
  }
  return entry ? [entry] : [];
}

function historyEntryOf(
  event: ExecutionEvent,
  roleArn: string,
  lambdaStates: LambdaStates,
): HistoryEntry | undefined {
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
      if (type === 'Task' && lambdaStates.has(stateName(event))) {
        return {
          type: 'LambdaFunctionFailed',
          details: ['lambdaFunctionFailedEventDetails', errorInfo(event)],
        };
      }
      if (type === 'Task') {
        return {
          type: 'TaskFailed',
          details: [
            'taskFailedEventDetails',
            { resourceType: 'states', resource: stateName(event), ...errorInfo(event) },
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
  /** Set once the definition is loaded. */
  lambdaStates: LambdaStates = new Set();

  constructor(
    private readonly roleArn: string,
    private readonly now: () => Date,
  ) {}

  record(event: ExecutionEvent): void {
    for (const entry of historyEntriesOf(event, this.roleArn, this.lambdaStates)) {
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
}
