// The history of every execution started locally by a rule or a parent execution (what `byok
// simulate` counts), and how a state machine ARN names the local state machine.
import { TaskFailure } from './errors.ts';
import type { ExecutionResult } from './types.ts';

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
  /** States entered (the run's state transitions). */
  transitions?: number | undefined;
  /** When each state was first entered (epoch ms), by state name. */
  enteredAt?: Record<string, number> | undefined;
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
        transitions: result.events.filter((event) => event.type === 'StateEntered').length,
        enteredAt: firstEntries(result.events),
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

function firstEntries(events: ExecutionResult['events']): Record<string, number> {
  const entered: Record<string, number> = {};
  for (const event of events) {
    const name = (event as { state?: { name?: string } }).state?.name;
    if (event.type === 'StateEntered' && typeof name === 'string' && !(name in entered))
      entered[name] = event.timestamp;
  }
  return entered;
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
