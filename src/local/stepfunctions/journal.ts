// The local Step Functions API's executions kept in the state dir (`<state dir>/stepfunctions/`,
// one file per execution, written atomically like every state file, 0600 in a 0700 dir, under the
// stack's state-dir lock): a restarted stack lists, describes and shows the history of the
// executions it ran, and resumes those that were waiting for a task token. A waiting execution's
// task token is sealed with the state dir's master key (bound to its execution and state): the file
// alone does not answer the task. A file that does not fit stops the start by name
// (LocalStateCorruptError); nothing is repaired or dropped. An ended execution is removed once it
// is older than the retention (90 days after it ended, on the stack's clock, as AWS keeps them:
// StepFunctionsService prunes at start and whenever it starts an execution); a running one,
// e.g. a rotation waiting for its vote, is never removed.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { LocalStateCorruptError } from '../errors.ts';
import { parseStateFile, type StateStore } from '../persistence.ts';

const JOURNAL_DIR = 'stepfunctions';

const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
const instant = z.number().int().min(0).max(253_402_300_799_999);

const historyEventSchema = z
  .object({
    timestamp: instant,
    type: z.string().min(1),
    id: z.number().int().min(1),
    previousEventId: z.number().int().min(0),
  })
  .catchall(z.unknown());

const storedExecutionSchema = z
  .object({
    version: z.literal(1),
    sequence: z.number().int().min(0),
    executionArn: z.string().min(1),
    stateMachineArn: z.string().min(1),
    stateMachine: z.string().min(1),
    name: z.string().min(1),
    status: z.enum(STATUSES),
    startDate: instant,
    stopDate: instant.optional(),
    input: z.string(),
    output: z.string().optional(),
    error: z.string().optional(),
    cause: z.string().optional(),
    history: z.array(historyEventSchema),
    waiting: z
      .object({
        stateName: z.string().min(1),
        stateInput: z.string(),
        sealedToken: z.string().min(1),
        issuedAt: instant,
        deadline: instant,
        heartbeatSeconds: z.number().int().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A history event as GetExecutionHistory shows it (timestamps as Dates). */
export interface JournalHistoryEvent {
  timestamp: Date;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

/** Where a RUNNING execution waits for a task token (the token in the clear: sealed on disk). */
export interface JournalWaitPoint {
  stateName: string;
  /** The state's input when it was entered, as JSON text. */
  stateInput: string;
  token: string;
  issuedAt: Date;
  deadline: Date;
  heartbeatSeconds?: number | undefined;
}

export interface JournalExecution {
  sequence: number;
  executionArn: string;
  stateMachineArn: string;
  stateMachine: string;
  name: string;
  status: (typeof STATUSES)[number];
  startDate: Date;
  stopDate?: Date | undefined;
  inputText: string;
  outputText?: string | undefined;
  error?: string | undefined;
  cause?: string | undefined;
  history: readonly JournalHistoryEvent[];
  waiting?: JournalWaitPoint | undefined;
}

function tokenContext(executionArn: string, stateName: string): string {
  return `stepfunctions-task-token/${executionArn}/${stateName}`;
}

function fileNameOf(executionArn: string): string {
  return createHash('sha256').update(executionArn).digest('hex').slice(0, 40);
}

export class ExecutionJournal {
  private readonly dir: string;

  constructor(
    private readonly store: StateStore,
    private readonly owner: { region: string; accountId: string },
  ) {
    this.dir = join(store.dir, JOURNAL_DIR);
  }

  /** Every kept execution, oldest first; throws LocalStateCorruptError for a file that does not fit. */
  load(): JournalExecution[] {
    if (!existsSync(this.dir)) return [];
    if (!lstatSync(this.dir).isDirectory()) {
      throw new LocalStateCorruptError(this.dir, 'it is not a directory');
    }
    const loaded: JournalExecution[] = [];
    for (const file of readdirSync(this.dir).sort()) {
      if (!file.endsWith('.json')) continue;
      const name = `${JOURNAL_DIR}/${file.slice(0, -'.json'.length)}`;
      const path = this.store.path(name);
      const stored = parseStateFile(storedExecutionSchema, this.store.read(name), path);
      const prefix = `arn:aws:states:${this.owner.region}:${this.owner.accountId}:execution:`;
      if (!stored.executionArn.startsWith(prefix) || fileNameOf(stored.executionArn) !== name.split('/')[1]) {
        throw new LocalStateCorruptError(
          path,
          `execution ${stored.executionArn} does not belong in this file`,
        );
      }
      let waiting: JournalWaitPoint | undefined;
      if (stored.waiting) {
        const { sealedToken, ...point } = stored.waiting;
        let token: string;
        try {
          token = this.store.masterKey
            .open(sealedToken, tokenContext(stored.executionArn, point.stateName))
            .toString('utf8');
        } catch (error) {
          throw new LocalStateCorruptError(path, 'the sealed task token does not open with the master key', {
            cause: error,
          });
        }
        waiting = {
          ...point,
          token,
          issuedAt: new Date(point.issuedAt),
          deadline: new Date(point.deadline),
        };
      }
      loaded.push({
        sequence: stored.sequence,
        executionArn: stored.executionArn,
        stateMachineArn: stored.stateMachineArn,
        stateMachine: stored.stateMachine,
        name: stored.name,
        status: stored.status,
        startDate: new Date(stored.startDate),
        stopDate: stored.stopDate === undefined ? undefined : new Date(stored.stopDate),
        inputText: stored.input,
        outputText: stored.output,
        error: stored.error,
        cause: stored.cause,
        history: stored.history.map((event) => ({ ...event, timestamp: new Date(event.timestamp) })),
        waiting,
      });
    }
    return loaded.sort((a, b) => a.sequence - b.sequence);
  }

  /**
   * Removes executions' files (ended executions past their retention: the service decides,
   * ./service.ts `prune`). Each file is there whole or not at all.
   */
  remove(executionArns: readonly string[]): void {
    this.store.remove(executionArns.map((arn) => `${JOURNAL_DIR}/${fileNameOf(arn)}`));
  }

  /** Writes one execution's file (atomically: the old or the new one survives a crash). */
  save(execution: JournalExecution): void {
    if (!existsSync(this.dir)) mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const { waiting } = execution;
    const stored: z.input<typeof storedExecutionSchema> = {
      version: 1,
      sequence: execution.sequence,
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      stateMachine: execution.stateMachine,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate.getTime(),
      ...(execution.stopDate ? { stopDate: execution.stopDate.getTime() } : {}),
      input: execution.inputText,
      ...(execution.outputText !== undefined ? { output: execution.outputText } : {}),
      ...(execution.error !== undefined ? { error: execution.error } : {}),
      ...(execution.cause !== undefined ? { cause: execution.cause } : {}),
      history: execution.history.map((event) => ({ ...event, timestamp: event.timestamp.getTime() })),
      ...(waiting
        ? {
            waiting: {
              stateName: waiting.stateName,
              stateInput: waiting.stateInput,
              sealedToken: this.store.masterKey.seal(
                Buffer.from(waiting.token, 'utf8'),
                tokenContext(execution.executionArn, waiting.stateName),
              ),
              issuedAt: waiting.issuedAt.getTime(),
              deadline: waiting.deadline.getTime(),
              ...(waiting.heartbeatSeconds !== undefined
                ? { heartbeatSeconds: waiting.heartbeatSeconds }
                : {}),
            },
          }
        : {}),
    };
    this.store.write(`${JOURNAL_DIR}/${fileNameOf(execution.executionArn)}`, stored);
  }
}
