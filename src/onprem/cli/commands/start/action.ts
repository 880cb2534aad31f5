// What `byok start` does (see register.ts and options.ts for its options): starts one import as an execution of the import-key-material state machine, on AWS
// (--state-machine-arn, or found by name) or on the local stack's Step Functions API (--endpoint),
// under a deterministic name, and follows it to the end with DescribeExecution, printing each step.
// The same command run again the same day joins (or reports) the same execution instead of
// starting a second import.

import { createHash } from 'node:crypto';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { createKmsClient, createSfnClient } from '../../../../core/aws/clients.ts';
import { findStateMachineArns } from '../../../../core/aws/state-machines.ts';
import { type ImportExecutionInput, ImportExecutionInputSchema } from '../../../../core/import/contracts.ts';
import { sha1Disclosure } from '../../../../core/import/wrapping-algorithms.ts';
import {
  ExecutionNameTakenError,
  ImportExecutionFailedError,
  InvalidStartInputError,
  StateMachineNotFoundError,
  StepFunctionsUnreachableError,
} from '../../errors.ts';
import {
  IMPORT_STATE,
  type KeySnapshot,
  PUBLISH_FAILED_STATE,
  reportFailure,
  snapshotKey,
} from '../../outcome.ts';
import type { StartOptions } from './options.ts';

export type { StartOptions } from './options.ts';

const IMPORT_STATE_MACHINE = 'import-key-material';

/** The execution input for these options, checked with the schema the handlers use. */
export function executionInputOf(options: StartOptions): ImportExecutionInput {
  const candidate = {
    keyId: options.keyId,
    ...(options.hsmKeyLabel !== undefined ? { hsmKeyLabel: options.hsmKeyLabel } : {}),
    ...(options.validForDays !== undefined ? { validForDays: options.validForDays } : {}),
    ...(options.validTo !== undefined ? { validTo: options.validTo } : {}),
    ...(options.expiry === false ? { noExpiry: true } : {}),
    ...(options.wrappingAlgorithm !== undefined ? { wrappingAlgorithm: options.wrappingAlgorithm } : {}),
    ...(options.wrappingKeySpec !== undefined ? { wrappingKeySpec: options.wrappingKeySpec } : {}),
    ...(options.reason !== undefined ? { reason: options.reason } : {}),
  };
  const parsed = ImportExecutionInputSchema.safeParse(candidate);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
    );
    throw new InvalidStartInputError(problems.join('; '));
  }
  return parsed.data;
}

/**
 * `byok-<key>-<yyyymmdd>-<hash of the input>`: the same request on the same (UTC) day gets the same
 * name, so running the command again follows the first execution instead of importing twice.
 */
export function deterministicExecutionName(input: ImportExecutionInput, day: Date): string {
  const canonical = JSON.stringify(
    Object.fromEntries(Object.entries(input).sort(([a], [b]) => a.localeCompare(b))),
  );
  const digest = createHash('sha256').update(canonical).digest('hex').slice(0, 12);
  const keyTail = (input.keyId.split('/').pop() ?? input.keyId).replace(/[^A-Za-z0-9-]/g, '');
  const date = day.toISOString().slice(0, 10).replaceAll('-', '');
  return `byok-${keyTail}-${date}-${digest}`.slice(0, 80);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function isConnectionFailure(error: unknown): boolean {
  const text = `${errorName(error)} ${error instanceof Error ? error.message : ''} ${
    error instanceof Error && error.cause instanceof Error ? error.cause.message : ''
  }`;
  return /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|fetch failed|socket hang up/i.test(text);
}

async function send<T>(options: StartOptions, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isConnectionFailure(error)) {
      throw options.endpoint
        ? new StepFunctionsUnreachableError(
            `no Step Functions API answers at ${options.endpoint}`,
            'start the local stack with: byok local up',
            { cause: error },
          )
        : new StepFunctionsUnreachableError(
            'AWS Step Functions cannot be reached',
            'check the network and AWS_REGION',
            {
              cause: error,
            },
          );
    }
    throw error;
  }
}

async function findImportStateMachine(sfn: SFNClient, options: StartOptions): Promise<string> {
  const found =
    (await send(options, () => findStateMachineArns(sfn, [IMPORT_STATE_MACHINE]))).get(
      IMPORT_STATE_MACHINE,
    ) ?? [];
  if (found.length === 1) return found[0] as string;
  throw new StateMachineNotFoundError(
    found.length === 0
      ? `no state machine named ${IMPORT_STATE_MACHINE} or *-${IMPORT_STATE_MACHINE} here`
      : `several import state machines here: ${found.join(', ')}`,
  );
}

/** What following an execution saw in its history, beyond the progress lines. */
interface ExecutionTrace {
  /** States the execution entered. */
  entered: Set<string>;
  /** The last failure of PublishFailed: the failure event could not be published. */
  publishFailure?: { error: string; cause?: string | undefined } | undefined;
}

/**
 * One progress line per step the execution enters, leaves or fails. A Lambda failure event does
 * not name its state on AWS: `current` is the Task state last entered. A state whose failure was
 * caught also exits: it is never reported `ok`.
 */
function progressLine(event: HistoryEvent, current: string | undefined, failed: boolean): string | undefined {
  const entered = event.stateEnteredEventDetails?.name;
  const exited = event.stateExitedEventDetails?.name;
  if (event.type === 'TaskStateEntered' && entered) return `  > ${entered}`;
  if (event.type === 'TaskStateExited' && exited) return failed ? undefined : `  ok ${exited}`;
  const failure = failureOf(event);
  if (failure) return `  ! ${current ?? failure.resource ?? 'task'} failed: ${failure.error}`;
  if (event.type === 'ChoiceStateEntered' && entered) return `  ? ${entered}`;
  return undefined;
}

/** A Task's failure (Lambda or service integration), as its history event gives it. */
function failureOf(
  event: HistoryEvent,
): { error: string; cause?: string | undefined; resource?: string | undefined } | undefined {
  if (event.type === 'LambdaFunctionFailed' || event.type === 'LambdaFunctionTimedOut') {
    const details = event.lambdaFunctionFailedEventDetails ?? event.lambdaFunctionTimedOutEventDetails;
    return { error: details?.error || 'error', cause: details?.cause };
  }
  if (event.type === 'TaskFailed' || event.type === 'TaskTimedOut') {
    const details = event.taskFailedEventDetails ?? event.taskTimedOutEventDetails;
    return { error: details?.error || 'error', cause: details?.cause, resource: details?.resource };
  }
  return undefined;
}

async function follow(
  sfn: SFNClient,
  executionArn: string,
  options: StartOptions,
  write: (line: string) => void,
): Promise<{ described: DescribeExecutionCommandOutput; trace: ExecutionTrace }> {
  let seen = 0;
  let current: string | undefined;
  let currentFailed = false;
  const trace: ExecutionTrace = { entered: new Set() };
  for (;;) {
    const described = await send(options, () => sfn.send(new DescribeExecutionCommand({ executionArn })));
    // Payloads stay out of the history we read: they hold import tokens and wrapped blobs.
    const history = await send(options, () =>
      sfn.send(
        new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false, maxResults: 1000 }),
      ),
    );
    const events = history.events ?? [];
    for (const event of events.slice(seen)) {
      const entered = event.stateEnteredEventDetails?.name;
      if (entered) trace.entered.add(entered);
      if (event.type === 'TaskStateEntered') {
        current = entered;
        currentFailed = false;
      }
      const failure = failureOf(event);
      if (failure) {
        currentFailed = true;
        if (current === PUBLISH_FAILED_STATE)
          trace.publishFailure = { error: failure.error, cause: failure.cause };
      }
      const line = progressLine(event, current, currentFailed);
      if (line) write(line);
    }
    seen = Math.max(seen, events.length);
    if (described.status !== 'RUNNING' && described.status !== 'PENDING_REDRIVE') {
      return { described, trace };
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollInterval));
  }
}

export async function runStart(
  options: StartOptions,
  io: { out: (text: string) => void; err: (text: string) => void } = {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  },
): Promise<DescribeExecutionCommandOutput> {
  const input = executionInputOf(options);
  const sfn = createSfnClient({ endpoint: options.endpoint, region: options.region });
  const kms = createKmsClient({ endpoint: options.endpoint, region: options.region });
  try {
    const stateMachineArn = options.stateMachineArn ?? (await findImportStateMachine(sfn, options));
    const name = options.name ?? deterministicExecutionName(input, new Date());
    const inputText = JSON.stringify(input);
    let executionArn: string;
    // The key as KMS shows it now, to tell afterwards whether a failed execution changed it.
    let before: KeySnapshot | Error | undefined = await snapshotKey(kms, input.keyId);
    try {
      const started = await send(options, () =>
        sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: inputText })),
      );
      executionArn = started.executionArn as string;
      io.err(`started ${executionArn}\n`);
    } catch (error) {
      if (errorName(error) !== 'ExecutionAlreadyExists') throw error;
      executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
      const existing = await send(options, () => sfn.send(new DescribeExecutionCommand({ executionArn })));
      if (JSON.stringify(JSON.parse(existing.input ?? 'null')) !== inputText) {
        throw new ExecutionNameTakenError(`execution name ${name} is taken by a different request`, {
          cause: error,
        });
      }
      io.err(`${executionArn} already exists for this request: following it\n`);
      // That execution may have run before the snapshot: it is no "before" for it.
      before = undefined;
    }
    const { described, trace } = await follow(sfn, executionArn, options, (line) => io.err(`${line}\n`));
    if (described.status !== 'SUCCEEDED') {
      const reachedImport = trace.entered.has(IMPORT_STATE);
      const report = reportFailure({
        keyId: input.keyId,
        reachedImport,
        publishFailure: trace.publishFailure,
        before,
        after: reachedImport ? await snapshotKey(kms, input.keyId) : undefined,
        endpoint: options.endpoint,
      });
      throw new ImportExecutionFailedError(
        executionArn,
        described.status ?? 'UNKNOWN',
        described.error,
        described.cause,
        report,
      );
    }
    const seconds = ((described.stopDate?.getTime() ?? 0) - (described.startDate?.getTime() ?? 0)) / 1000;
    io.err(`SUCCEEDED in ${seconds.toFixed(1)} s\n`);
    const output = JSON.parse(described.output ?? 'null') as { wrappingAlgorithm?: unknown } | null;
    const disclosure =
      typeof output?.wrappingAlgorithm === 'string'
        ? sha1Disclosure(
            output.wrappingAlgorithm,
            input.wrappingAlgorithm ? '--wrapping-algorithm' : 'the tag byok:wrapping-algorithm',
          )
        : undefined;
    if (disclosure) io.err(`${disclosure}\n`);
    io.out(`${JSON.stringify(output, null, 2)}\n`);
    return described;
  } finally {
    sfn.destroy();
    kms.destroy();
  }
}
