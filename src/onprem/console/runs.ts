// The Runs pages' data: executions of byok's state machines (ListExecutions, DescribeExecution) and
// one run's path through its statemachines/*.asl.json with each state's input and output from the
// execution history (redacted, see redact.ts), and the error by name with its hint.
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  type HistoryEvent,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import { executionHistory } from '../../core/aws/paginate-sfn.ts';
import { hintForName } from '../../core/shared/hints.ts';
import { loadStateMachine } from '../runner/state-machines.ts';
import { type ConsoleBackend, WORKFLOWS } from './backend.ts';
import { ConsoleRunNotFoundError, ConsoleStateMachineNotFoundError } from './errors.ts';
import { redact, redactJsonText } from './redact.ts';
import type { RunDetail, RunSummary, StateVisit, Workflow } from './wire.ts';

/** How many of each state machine's newest executions the Runs page lists. */
const RUNS_PER_WORKFLOW = 25;

function inputField(inputText: string | undefined, field: 'keyId' | 'requestId'): string | null {
  try {
    const value = (JSON.parse(inputText ?? 'null') as Record<string, unknown> | null)?.[field];
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

/** A sweep report's outcome, from its execution's output. */
function outcomeOf(outputText: string | undefined): RunSummary['outcome'] {
  try {
    const outcome = (JSON.parse(outputText ?? 'null') as { outcome?: unknown } | null)?.outcome;
    return outcome === 'COMPLETE' || outcome === 'PARTIAL' ? outcome : null;
  } catch {
    return null;
  }
}

function summaryOf(
  workflow: Workflow,
  described: Pick<
    DescribeExecutionCommandOutput,
    'executionArn' | 'name' | 'status' | 'startDate' | 'stopDate' | 'input' | 'error'
  > & { output?: string | undefined },
): RunSummary {
  const start = described.startDate ?? new Date(0);
  return {
    executionArn: described.executionArn ?? '',
    name: described.name ?? '',
    workflow,
    status: described.status ?? 'UNKNOWN',
    keyId: workflow === 'reimport-expiring-keys' ? null : inputField(described.input, 'keyId'),
    requestId: workflow === 'rotate-key-material' ? inputField(described.input, 'requestId') : null,
    startDate: start.toISOString(),
    stopDate: described.stopDate?.toISOString() ?? null,
    durationMs: described.stopDate ? described.stopDate.getTime() - start.getTime() : null,
    error: described.error ?? null,
    outcome: workflow === 'reimport-expiring-keys' ? outcomeOf(described.output) : null,
  };
}

/** How many ended runs' summaries a console keeps (an ended execution never changes). */
const ENDED_RUNS_KEPT = 500;
const endedRuns = new WeakMap<ConsoleBackend, Map<string, RunSummary>>();

/** An ended run's summary as described before: every poll of the Runs page describes only new ones. */
function endedRunsOf(backend: ConsoleBackend): Map<string, RunSummary> {
  let kept = endedRuns.get(backend);
  if (!kept) {
    kept = new Map();
    endedRuns.set(backend, kept);
  }
  return kept;
}

/** The runs of every workflow deployed here; one that is not (say, no sweep) is left out. */
export async function listRuns(backend: ConsoleBackend): Promise<RunSummary[]> {
  const missing: ConsoleStateMachineNotFoundError[] = [];
  const perWorkflow = await Promise.all(
    WORKFLOWS.map(async (workflow) => {
      let stateMachineArn: string;
      try {
        stateMachineArn = await backend.stateMachineArn(workflow);
      } catch (error) {
        if (!(error instanceof ConsoleStateMachineNotFoundError)) throw error;
        missing.push(error);
        return [];
      }
      const listed = await backend.sfn.send(
        new ListExecutionsCommand({ stateMachineArn, maxResults: RUNS_PER_WORKFLOW }),
      );
      return Promise.all((listed.executions ?? []).map((item) => describeListed(backend, workflow, item)));
    }),
  );
  if (missing.length === WORKFLOWS.length) throw missing[0];
  return perWorkflow.flat().sort((a, b) => b.startDate.localeCompare(a.startDate));
}

async function describeListed(
  backend: ConsoleBackend,
  workflow: Workflow,
  item: ExecutionListItem,
): Promise<RunSummary> {
  // Import and rotation runs need their input (the key id, the request), an ended sweep its report's
  // outcome; a running sweep's list entry says enough. An ended run is described once.
  if (workflow === 'reimport-expiring-keys' && item.status === 'RUNNING') return summaryOf(workflow, item);
  const kept = endedRunsOf(backend);
  const known = item.executionArn ? kept.get(item.executionArn) : undefined;
  if (known) return known;
  const described = await backend.sfn.send(new DescribeExecutionCommand({ executionArn: item.executionArn }));
  const summary = summaryOf(workflow, described);
  if (summary.status !== 'RUNNING' && summary.executionArn) {
    if (kept.size >= ENDED_RUNS_KEPT) kept.delete(kept.keys().next().value as string);
    kept.set(summary.executionArn, summary);
  }
  return summary;
}

/**
 * `{"errorType","errorMessage","trace"}` (a Lambda's error on AWS) -> the message, never the trace.
 * Another JSON cause (a child execution's description, from a `.sync` Task) is redacted like any
 * state payload; plain text is a message.
 */
export function causeText(cause: string | undefined): string | null {
  if (cause === undefined || cause === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(cause);
  } catch {
    return cause;
  }
  if (parsed && typeof parsed === 'object') {
    const message = (parsed as { errorMessage?: unknown }).errorMessage;
    if (typeof message === 'string') return message;
    return JSON.stringify(redact(parsed));
  }
  return cause;
}

export async function readRun(backend: ConsoleBackend, executionArn: string): Promise<RunDetail> {
  let described: DescribeExecutionCommandOutput;
  try {
    described = await backend.sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (error) {
    throw new ConsoleRunNotFoundError(executionArn, { cause: error });
  }
  const workflow = await backend.workflowOf(described.stateMachineArn ?? '');
  if (!workflow) throw new ConsoleRunNotFoundError(executionArn);
  const [history, machine] = await Promise.all([
    readHistory(backend, executionArn),
    loadStateMachine(workflow),
  ]);
  return {
    ...summaryOf(workflow, described),
    input: redactJsonText(described.input),
    output: redactJsonText(described.output),
    cause: causeText(described.cause),
    // A state machine's failure carries only the error's name and message: the hint that the thrown
    // error had stays in the Lambda, so it is looked up by name in the one hint table.
    hint: hintForName(described.error) ?? null,
    definition: machine.definition,
    visits: visitsOf(history),
  };
}

async function readHistory(backend: ConsoleBackend, executionArn: string): Promise<HistoryEvent[]> {
  return executionHistory(backend.sfn, executionArn, { includeExecutionData: true, maxEvents: 10_000 });
}

const FAILURE_DETAILS = [
  'lambdaFunctionFailedEventDetails',
  'lambdaFunctionTimedOutEventDetails',
  'taskFailedEventDetails',
  'taskTimedOutEventDetails',
  'activityFailedEventDetails',
  'activityTimedOutEventDetails',
] as const;

/** The history read as state visits: entered -> (failed) -> exited. */
export function visitsOf(events: HistoryEvent[]): StateVisit[] {
  const visits: StateVisit[] = [];
  const open = new Map<string, StateVisit>();
  let lastEntered: StateVisit | undefined;
  for (const event of events) {
    const type = event.type ?? '';
    const at = event.timestamp?.toISOString() ?? '';
    const entered = event.stateEnteredEventDetails;
    if (type.endsWith('StateEntered') && entered?.name) {
      const visit: StateVisit = {
        name: entered.name,
        type: type.replace(/StateEntered$/, ''),
        status: 'running',
        enteredAt: at,
        exitedAt: null,
        input: redactJsonText(entered.input),
        output: undefined,
        error: null,
        cause: null,
      };
      visits.push(visit);
      open.set(entered.name, visit);
      lastEntered = visit;
      continue;
    }
    const exited = event.stateExitedEventDetails;
    if (type.endsWith('StateExited') && exited?.name) {
      const visit = open.get(exited.name);
      if (visit) {
        visit.exitedAt = at;
        visit.output = redactJsonText(exited.output);
        if (visit.status === 'running') visit.status = 'succeeded';
        open.delete(exited.name);
      }
      continue;
    }
    for (const field of FAILURE_DETAILS) {
      const details = event[field] as { error?: string; cause?: string } | undefined;
      if (details && lastEntered) {
        lastEntered.status = 'failed';
        lastEntered.error = details.error ?? null;
        lastEntered.cause = causeText(details.cause);
      }
    }
    const failed = event.executionFailedEventDetails;
    if (type === 'ExecutionFailed' && failed && lastEntered?.type === 'Fail') {
      lastEntered.error = failed.error ?? null;
      lastEntered.cause = causeText(failed.cause);
    }
  }
  // A Fail state has no exit event: entering it is failing.
  for (const visit of visits) if (visit.type === 'Fail') visit.status = 'failed';
  return visits;
}
