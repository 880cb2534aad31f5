// What `byok start` does (see register.ts and options.ts for its options): starts one import as an execution of the import-key-material state machine, on AWS
// (--state-machine-arn, or found by name) or on the local stack's Step Functions API (--endpoint),
// under a deterministic name, and follows it to the end with DescribeExecution, printing each step.
// The same command run again the same day joins (or reports) the same execution instead of
// starting a second import.

import { createHash } from 'node:crypto';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { createKmsClient, createSfnClient } from '../../../../core/aws/clients.ts';
import { findStateMachineArns } from '../../../../core/aws/state-machines.ts';
import {
  type ImportExecutionInput,
  ImportExecutionInputSchema,
  type ImportResult,
} from '../../../../core/import/contracts.ts';
import { formatProof } from '../../../../core/import/report.ts';
import { sha1Disclosure } from '../../../../core/import/wrapping-algorithms.ts';
import { type AwsTarget, resolveAwsTarget } from '../../aws-target.ts';
import {
  ExecutionNameTakenError,
  ImportExecutionFailedError,
  ImportResultStaleError,
  InvalidStartInputError,
  StateMachineNotFoundError,
  StepFunctionsUnreachableError,
} from '../../errors.ts';
import { byokCommand } from '../../hints.ts';
import { importInputOf } from '../../import-request-options.ts';
import {
  type FailureReport,
  IMPORT_STATE,
  type KeySnapshot,
  PUBLISH_FAILED_STATE,
  reportFailure,
  snapshotKey,
} from '../../outcome.ts';
import { cell, terminalJson } from '../../terminal.ts';
import type { StartOptions } from './options.ts';

export type { StartOptions } from './options.ts';

const IMPORT_STATE_MACHINE = 'import-key-material';

/** The execution input for these options, checked with the schema the handlers use. */
export function executionInputOf(options: StartOptions): ImportExecutionInput {
  const parsed = ImportExecutionInputSchema.safeParse(importInputOf(options.keyId, options));
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
  // TimeoutError: the per-attempt deadline of every AWS call (core/aws/clients.ts), after the retries.
  return /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|fetch failed|socket hang up|TimeoutError/i.test(
    text,
  );
}

async function send<T>(target: AwsTarget, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isConnectionFailure(error)) {
      throw target.endpoint
        ? new StepFunctionsUnreachableError(
            errorName(error) === 'TimeoutError'
              ? `the Step Functions API at ${target.endpoint} did not answer in time (${error instanceof Error ? error.message.replace(/^@smithy\/node-http-handler - \[ERROR\] /, '') : ''})`
              : `no Step Functions API answers at ${target.endpoint}`,
            'start the local stack with: byok local up',
            { cause: error },
          )
        : new StepFunctionsUnreachableError(
            `AWS Step Functions in ${target.region} cannot be reached`,
            `check the network and the Region (${target.region}, from ${target.regionSource})`,
            {
              cause: error,
            },
          );
    }
    throw error;
  }
}

/** The most attempts of one request on one day (`<name>`, `<name>-2`, ... `<name>-20`). */
const MAX_ATTEMPTS_PER_DAY = 20;

/** `<name>` for the first attempt, `<name>-<n>` for the n-th: the attempts of a day sort together. */
function attemptName(baseName: string, attempt: number): string {
  return attempt === 1 ? baseName : `${baseName.slice(0, 80 - `-${attempt}`.length)}-${attempt}`;
}

/**
 * Starts the request's execution, or joins it: the first attempt of the day is `<name>`; if an
 * execution of that name for the same input is running or succeeded, it is followed (idempotent);
 * if it ended without success (FAILED, TIMED_OUT, ABORTED), the next attempt `<name>-2` ... is
 * started, so "fix the cause and run it again" runs it again instead of replaying the failure.
 */
async function startOrJoin(
  sfn: SFNClient,
  target: AwsTarget,
  stateMachineArn: string,
  baseName: string,
  inputText: string,
  io: StartIo,
): Promise<{ executionArn: string; started: boolean; joinedStatus?: string | undefined }> {
  const ended: string[] = [];
  for (let attempt = 1; attempt <= MAX_ATTEMPTS_PER_DAY; attempt += 1) {
    const name = attemptName(baseName, attempt);
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    try {
      const started = await send(target, () =>
        sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: inputText })),
      );
      const previous = ended.at(-1);
      io.err(
        `started ${started.executionArn as string}${previous ? ` (attempt ${attempt}; ${previous})` : ''}\n`,
      );
      return { executionArn: started.executionArn as string, started: true };
    } catch (error) {
      if (errorName(error) !== 'ExecutionAlreadyExists') throw error;
      const existing = await send(target, () => sfn.send(new DescribeExecutionCommand({ executionArn })));
      if (JSON.stringify(JSON.parse(existing.input ?? 'null')) !== inputText) {
        throw new ExecutionNameTakenError(`execution name ${name} is taken by a different request`, {
          cause: error,
        });
      }
      if (
        existing.status === 'RUNNING' ||
        existing.status === 'SUCCEEDED' ||
        existing.status === 'PENDING_REDRIVE'
      ) {
        io.err(`${executionArn} already exists for this request: following it (${existing.status})\n`);
        return { executionArn, started: false, joinedStatus: existing.status };
      }
      ended.push(`${name} ended ${existing.status}${existing.error ? ` (${existing.error})` : ''}`);
    }
  }
  throw new ExecutionNameTakenError(
    `the request already ran ${MAX_ATTEMPTS_PER_DAY} times today without success (${ended.at(-1) ?? ''})`,
  );
}

async function findImportStateMachine(sfn: SFNClient, target: AwsTarget): Promise<string> {
  const found =
    (await send(target, () => findStateMachineArns(sfn, [IMPORT_STATE_MACHINE]))).get(IMPORT_STATE_MACHINE) ??
    [];
  if (found.length === 1) return found[0] as string;
  throw new StateMachineNotFoundError(
    found.length === 0
      ? `no state machine named ${IMPORT_STATE_MACHINE} or *-${IMPORT_STATE_MACHINE} here`
      : `several import state machines here: ${found.join(', ')}`,
  );
}

/** A Task state whose work an activity worker (`byok worker`) must take: its activity and deadline. */
interface ActivityState {
  activityArn: string;
  timeoutSeconds?: number | undefined;
}

const ACTIVITY_ARN = /^arn:aws[a-z-]*:states:[^:]+:\d{12}:activity:.+$/;

/**
 * The definition's activity states by name (Map and Parallel branches included), so that following
 * an execution can say what it waits for. Best effort: without DescribeStateMachine, none are named.
 */
async function activityStatesOf(
  sfn: SFNClient,
  stateMachineArn: string,
): Promise<Map<string, ActivityState>> {
  const found = new Map<string, ActivityState>();
  type States = Record<string, Record<string, unknown>>;
  const walk = (states: States | undefined) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      if (state.Type === 'Task' && typeof state.Resource === 'string' && ACTIVITY_ARN.test(state.Resource)) {
        found.set(name, {
          activityArn: state.Resource,
          ...(typeof state.TimeoutSeconds === 'number' ? { timeoutSeconds: state.TimeoutSeconds } : {}),
        });
      }
      for (const nested of [state.Iterator, state.ItemProcessor, ...((state.Branches as unknown[]) ?? [])])
        walk((nested as { States?: States } | undefined)?.States);
    }
  };
  try {
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
    walk((JSON.parse(described.definition ?? '{}') as { States?: States }).States);
  } catch {
    // Not allowed or not there: the progress lines still name each state.
  }
  return found;
}

/** One line: the state waits for a worker beside the HSM, which activity, and for how long. */
function activityWaitLine(name: string, activity: ActivityState, target: AwsTarget): string {
  const worker = `byok worker${target.endpoint ? ` --endpoint ${target.endpoint}` : ''}`;
  const deadline = activity.timeoutSeconds
    ? `; if no worker answers within ${activity.timeoutSeconds} s the state fails with States.Timeout`
    : '';
  return `  … ${name} waits for a byok worker beside the HSM to take its task from ${activity.activityArn} (none running? start one: ${worker})${deadline}`;
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
/** One line of `byok start`'s progress; state names and errors are the execution's: cell keeps each on it. */
export function progressLine(
  event: HistoryEvent,
  current: string | undefined,
  failed: boolean,
): string | undefined {
  const line = rawProgressLine(event, current, failed);
  return line === undefined ? undefined : cell(line);
}

function rawProgressLine(
  event: HistoryEvent,
  current: string | undefined,
  failed: boolean,
): string | undefined {
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
  target: AwsTarget,
  write: (line: string) => void,
  activities: ReadonlyMap<string, ActivityState> = new Map(),
): Promise<{ described: DescribeExecutionCommandOutput; trace: ExecutionTrace }> {
  let seen = 0;
  let current: string | undefined;
  let currentFailed = false;
  const trace: ExecutionTrace = { entered: new Set() };
  for (;;) {
    const described = await send(target, () => sfn.send(new DescribeExecutionCommand({ executionArn })));
    // Payloads stay out of the history we read: they hold import tokens and wrapped blobs.
    const history = await send(target, () =>
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
      // An activity waits for a worker (byok worker beside the HSM): say so, and for how long.
      const activity = event.type === 'TaskStateEntered' && entered ? activities.get(entered) : undefined;
      if (activity && entered) write(activityWaitLine(entered, activity, target));
      const taker =
        event.type === 'ActivityStarted' ? event.activityStartedEventDetails?.workerName : undefined;
      if (taker) write(`  … ${current ?? 'the task'} taken by worker ${taker}`);
    }
    seen = Math.max(seen, events.length);
    if (described.status !== 'RUNNING' && described.status !== 'PENDING_REDRIVE') {
      return { described, trace };
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollInterval));
  }
}

/**
 * What no longer matches between an import's result and the key now (state, ValidTo, current
 * material), or undefined while it holds (or KMS could not be read).
 */
function staleAgainst(
  output: ImportResult,
  now: KeySnapshot | Error | undefined,
): { before: string; now: string } | undefined {
  if (!now || now instanceof Error) return undefined;
  const time = (iso: string | undefined) => (iso ? Date.parse(iso) : undefined);
  const sameValidTo = time(output.validTo) === time(now.validTo);
  const sameMaterial = !output.keyMaterialId || output.keyMaterialId === now.keyMaterialId;
  // No material now (deleted, expired: PendingImport), or another ValidTo or current material.
  if (sameValidTo && sameMaterial && now.keyState !== 'PendingImport') return undefined;
  const describe = (state: string, validTo: string | undefined, material: string | undefined) =>
    `${state}, ValidTo ${validTo ?? 'none'}${material ? `, material ${material}` : ''}`;
  return {
    before: describe(output.keyState, output.validTo, output.keyMaterialId),
    now: describe(now.keyState, now.validTo, now.keyMaterialId),
  };
}

/** An import workflow's output (a state machine of another shape prints as JSON). */
function isImportResult(output: unknown): output is ImportResult {
  return typeof output === 'object' && output !== null && 'evidence' in output && 'keyId' in output;
}

/** Where `byok start` writes: the result on `out`, progress and notes on `err`. */
export interface StartIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const PROCESS_IO: StartIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The execution as `--output json` prints it (the shape `byok import --output json` prints too). */
function executionView(
  executionArn: string,
  described: DescribeExecutionCommandOutput,
  output: unknown,
  report?: FailureReport,
) {
  return {
    executionArn,
    status: described.status,
    startDate: described.startDate?.toISOString(),
    stopDate: described.stopDate?.toISOString(),
    ...(output !== undefined && output !== null ? { output } : {}),
    ...(described.error ? { error: described.error, cause: described.cause } : {}),
    ...(report ? { failureDetails: report.details, next: report.hint } : {}),
  };
}

/**
 * Starts the import (or joins the same request's execution), follows it to the end and prints the
 * proof (`--output table`, the default) or the execution as JSON. A failed execution is an
 * ImportExecutionFailedError (with --output json, its execution is printed first).
 */
export async function runStart(
  options: StartOptions,
  io: StartIo = PROCESS_IO,
): Promise<DescribeExecutionCommandOutput> {
  const input = executionInputOf(options);
  const target = await resolveAwsTarget(options, [
    { option: '--key-id', value: options.keyId },
    { option: '--state-machine-arn', value: options.stateMachineArn },
  ]);
  const json = options.output === 'json';
  const sfn = createSfnClient(target);
  const kms = createKmsClient(target);
  try {
    const stateMachineArn = options.stateMachineArn ?? (await findImportStateMachine(sfn, target));
    const baseName = options.name ?? deterministicExecutionName(input, new Date());
    const inputText = JSON.stringify(input);
    // The key as KMS shows it now, to tell afterwards whether a failed execution changed it.
    let before: KeySnapshot | Error | undefined = await snapshotKey(kms, input.keyId);
    const now = before;
    const joined = await startOrJoin(sfn, target, stateMachineArn, baseName, inputText, io);
    const executionArn = joined.executionArn;
    // An execution that already ran may have run before the snapshot: it is no "before" for it.
    if (!joined.started) before = undefined;
    // Ctrl-C (or SIGTERM) stops following, not the execution: say so, and how to follow it again.
    const stopFollowing = (signal: NodeJS.Signals) => {
      io.err(
        `${signal}: stopped following; the execution continues in Step Functions: ${executionArn}\n` +
          `follow it again with the same byok start command (it joins the running execution), or: aws stepfunctions describe-execution --execution-arn ${executionArn}\n`,
      );
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', stopFollowing);
    process.once('SIGTERM', stopFollowing);
    const activities = await activityStatesOf(sfn, stateMachineArn);
    const { described, trace } = await follow(
      sfn,
      executionArn,
      options,
      target,
      (line) => io.err(`${line}\n`),
      activities,
    ).finally(() => {
      process.off('SIGINT', stopFollowing);
      process.off('SIGTERM', stopFollowing);
    });
    if (described.status !== 'SUCCEEDED') {
      const reachedImport = trace.entered.has(IMPORT_STATE);
      const report = reportFailure({
        keyId: input.keyId,
        reachedImport,
        publishFailure: trace.publishFailure,
        before,
        after: reachedImport ? await snapshotKey(kms, input.keyId) : undefined,
        target,
      });
      if (json) io.out(`${terminalJson(executionView(executionArn, described, undefined, report), 2)}\n`);
      throw new ImportExecutionFailedError(
        executionArn,
        described.status ?? 'UNKNOWN',
        described.error,
        described.cause,
        report,
        target,
      );
    }
    const seconds = ((described.stopDate?.getTime() ?? 0) - (described.startDate?.getTime() ?? 0)) / 1000;
    io.err(`SUCCEEDED in ${seconds.toFixed(1)} s\n`);
    const output = JSON.parse(described.output ?? 'null') as ImportResult | null;
    // Joined an import that had SUCCEEDED before this run: its proof holds only while KMS still
    // shows what it imported (it was printed as is, exit 0, even with the material deleted since).
    if (joined.joinedStatus === 'SUCCEEDED' && isImportResult(output)) {
      const stale = staleAgainst(output, now);
      if (stale) {
        throw new ImportResultStaleError(
          executionArn,
          `${described.stopDate?.toISOString() ?? 'earlier'}: ${stale.before}`,
          stale.now,
          `start a new import of it under another name: ${byokCommand(target, 'start', '--key-id', input.keyId, '--name', `${baseName.slice(0, 70)}-again`)} (with the same options)`,
        );
      }
      if (now instanceof Error) {
        io.err(
          `note: KMS could not be read (${now.name}) to check that it still holds what ${executionArn} imported\n`,
        );
      }
    }
    const disclosure =
      typeof output?.wrappingAlgorithm === 'string'
        ? sha1Disclosure(
            output.wrappingAlgorithm,
            input.wrappingAlgorithm ? '--wrapping-algorithm' : 'the tag byok:wrapping-algorithm',
          )
        : undefined;
    if (disclosure) io.err(`${disclosure}\n`);
    if (json || !isImportResult(output)) {
      io.out(`${terminalJson(executionView(executionArn, described, output), 2)}\n`);
    } else {
      io.out(formatProof(output));
    }
    return described;
  } finally {
    sfn.destroy();
    kms.destroy();
  }
}
