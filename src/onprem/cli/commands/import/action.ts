// What `byok import` does (see register.ts and options.ts for its options). Loaded only when the command runs: it
// pulls in the AWS SDK, the HSM adapter and the local runner.

import { randomUUID } from 'node:crypto';
import { DescribeStateMachineCommand, ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { createSfnClient } from '../../../../core/aws/clients.ts';
import { systemClock } from '../../../../core/clock.ts';
import { defaultByokHome, loadHsmConfig } from '../../../../core/hsm/config.ts';
import { finalizeIdleModules } from '../../../../core/hsm/pkcs11-adapter.ts';
import type { ImportResult } from '../../../../core/import/contracts.ts';
import { parseImportExecutionInput } from '../../../../core/import/get-parameters-for-import.ts';
import { formatProof } from '../../../../core/import/report.ts';
import { sha1Disclosure } from '../../../../core/import/wrapping-algorithms.ts';
import { hintForName } from '../../../../core/shared/hints.ts';
import { createLocalDeps, type LocalDeps } from '../../../runner/local-deps.ts';
import { createProgressReporter } from '../../../runner/progress.ts';
import { endpointClock } from '../../../runner/remote-clock.ts';
import { type ExecutionResult, runExecution } from '../../../runner/run-execution.ts';
import { type AslDefinition, taskStates } from '../../../runner/state-machines.ts';
import { tokenStateKind } from '../../../runner/tasks/integration.ts';
import { type AwsTarget, resolveAwsTarget } from '../../aws-target.ts';
import { AwsSetupError, ImportFailedError } from '../../errors.ts';
import {
  type FailureReport,
  IMPORT_STATE,
  type KeySnapshot,
  PUBLISH_FAILED_STATE,
  reportFailure,
  snapshotKey,
} from '../../outcome.ts';
import { terminalJson } from '../../terminal.ts';
import { runStart } from '../start/action.ts';
import { importHintFor } from './hints.ts';
import { recordImportRun, reportInterrupted, watchInterrupts } from './interrupted.ts';
import { executionInputFrom, type ImportOptions } from './options.ts';

async function assertAwsReachable(deps: LocalDeps, target: AwsTarget): Promise<void> {
  try {
    await deps.kms.config.credentials();
  } catch (error) {
    throw new AwsSetupError(
      target.profile ? `no AWS credentials found for profile ${target.profile}` : 'no AWS credentials found',
      'configure them (aws configure, --profile or AWS_PROFILE, or an instance role), or pass --endpoint for the local stack',
      {
        cause: error,
      },
    );
  }
}

/**
 * True when the stack at `endpoint` runs the import workflow with its HSM steps as activities
 * (`byok local up --hsm-placement activity`): its DescribeStateMachine shows activity resources.
 */
async function stackUsesHsmActivities(target: AwsTarget): Promise<boolean> {
  const sfn = createSfnClient(target);
  try {
    const machines = await sfn.send(new ListStateMachinesCommand({}));
    const machine = machines.stateMachines?.find((candidate) => candidate.name === 'import-key-material');
    if (!machine?.stateMachineArn) return false;
    const described = await sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: machine.stateMachineArn }),
    );
    const definition = JSON.parse(described.definition ?? '{}') as AslDefinition;
    return taskStates(definition).some((task) => tokenStateKind(task.resource) === 'activity');
  } catch {
    // No Step Functions API there (a bare KMS endpoint): the workflow runs here.
    return false;
  } finally {
    sfn.destroy();
  }
}

/**
 * The stack's HSM steps are activities, so the HSM is `byok worker`'s, not this process's: the
 * import runs as an execution of the stack's own state machine, followed to its end and printed
 * as `byok start` prints it (the same proof, or the same JSON).
 */
async function importThroughStack(options: ImportOptions): Promise<void> {
  const json = options.output === 'json';
  await runStart(
    { ...options, name: `import-${randomUUID()}`, pollInterval: 200 },
    {
      out: (text) => process.stdout.write(text),
      err: (text) => {
        if (!json) process.stderr.write(text);
      },
    },
  );
}

export async function runImport(options: ImportOptions): Promise<void> {
  // The schema the first step parses with, checked before the HSM or KMS is touched.
  const input = parseImportExecutionInput(executionInputFrom(options));
  const target = await resolveAwsTarget(options, [{ option: '--key-id', value: options.keyId }]);
  if (target.endpoint && (await stackUsesHsmActivities(target))) {
    await importThroughStack(options);
    return;
  }
  const json = options.output === 'json';
  const hsmConfig = await loadHsmConfig(defaultByokHome());
  const clock = target.endpoint ? await endpointClock(target.endpoint) : systemClock;
  const deps = await createLocalDeps({ ...target, clock, hsmConfig });
  let result: ExecutionResult;
  let failure: FailureReport | undefined;
  const startedAt = new Date();
  // SIGINT/SIGTERM: the execution is stopped where it is; what KMS holds then is printed and the
  // run recorded (interrupted.ts). A second signal ends the process at once.
  const interruption = watchInterrupts();
  const entered: string[] = [];
  let before: KeySnapshot | Error | undefined;
  try {
    if (!target.endpoint) await assertAwsReachable(deps, target);
    // The key as KMS shows it before the run, to tell afterwards whether a failed run changed it.
    before = await snapshotKey(deps.kms, input.keyId);
    const progress = json ? undefined : createProgressReporter({ stream: process.stderr });
    result = await runExecution({
      stateMachine: 'import-key-material',
      input,
      deps,
      signal: interruption.signal,
      onProgress: (event) => {
        const name = (event as { state?: { name?: string } }).state?.name;
        if (event.type === 'StateEntered' && name) entered.push(name);
        progress?.onProgress(event);
      },
    });
    if (interruption.signalName) {
      const report = await reportInterrupted({
        signal: interruption.signalName,
        keyId: input.keyId,
        entered,
        before,
        after: await snapshotKey(deps.kms, input.keyId),
        target,
      });
      await recordImportRun(target, {
        keyId: input.keyId,
        startedAt,
        outcome: 'INTERRUPTED',
        error: interruption.signalName,
        kms: report.kms,
        lastState: entered.at(-1),
        next: report.next,
      });
      process.exitCode = interruption.signalName === 'SIGINT' ? 130 : 143;
      return;
    }
    if (result.status !== 'SUCCEEDED') {
      const reachedImport = enteredState(result, IMPORT_STATE);
      failure = reportFailure({
        keyId: input.keyId,
        reachedImport,
        publishFailure: publishFailureOf(result),
        before,
        after: reachedImport ? await snapshotKey(deps.kms, input.keyId) : undefined,
        target,
      });
    }
  } finally {
    interruption.stop();
    await deps.close();
    finalizeIdleModules();
  }
  await recordImportRun(target, {
    keyId: input.keyId,
    startedAt,
    outcome: result.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
    ...(result.status === 'SUCCEEDED'
      ? {
          kms: 'changed' as const,
          keyMaterialId: (result.output as ImportResult).keyMaterialId,
          validTo: (result.output as ImportResult).validTo ?? undefined,
        }
      : {
          error: result.error ?? 'Error',
          message: result.cause,
          kms: entered.includes(IMPORT_STATE) ? ('unverified' as const) : ('unchanged' as const),
        }),
    lastState: entered.at(-1),
  });
  if (result.status === 'SUCCEEDED') {
    const output = result.output as ImportResult;
    const disclosure = sha1Disclosure(
      output.wrappingAlgorithm,
      input.wrappingAlgorithm ? '--wrapping-algorithm' : 'the tag byok:wrapping-algorithm',
    );
    if (disclosure) process.stderr.write(`${disclosure}\n`);
  }
  if (json) {
    process.stdout.write(`${terminalJson(summarize(result, failure), 2)}\n`);
    if (result.status !== 'SUCCEEDED') process.exitCode = 1;
    return;
  }
  if (result.status !== 'SUCCEEDED') {
    const specific = importHintFor(result.error, input, target) ?? hintForName(result.error);
    const next = failure?.hint;
    throw new ImportFailedError(
      result,
      specific && next ? `${specific.replace(/[.]$/, '')}; ${next}` : (specific ?? next),
      failure?.details,
    );
  }
  process.stdout.write(formatProof(result.output as ImportResult));
}

/** Whether the run entered the state (the interpreter's own event log). */
function enteredState(result: ExecutionResult, state: string): boolean {
  return result.events.some(
    (event) =>
      event.type === 'StateEntered' && (event as { state?: { name?: string } }).state?.name === state,
  );
}

/** The failure event's publishing error, when PublishFailed failed (its last attempt). */
function publishFailureOf(result: ExecutionResult): { error: string; cause?: string } | undefined {
  const failed = result.events.filter(
    (event) =>
      event.type === 'StateFailed' &&
      (event as { state?: { name?: string } }).state?.name === PUBLISH_FAILED_STATE,
  );
  const last = failed.at(-1) as { Error?: unknown; Cause?: unknown } | undefined;
  if (!last) return undefined;
  return {
    error: String(last.Error ?? 'Error'),
    ...(last.Cause !== undefined && last.Cause !== '' ? { cause: String(last.Cause) } : {}),
  };
}

/** The execution as DescribeExecution would show it, plus the events it published. */
function summarize(result: ExecutionResult, failure: FailureReport | undefined) {
  return {
    executionArn: result.executionArn,
    status: result.status,
    startDate: result.startDate.toISOString(),
    stopDate: result.stopDate.toISOString(),
    ...(result.output !== undefined ? { output: result.output } : {}),
    ...(result.error ? { error: result.error, cause: result.cause } : {}),
    publishedEvents: result.publishedEvents,
    ...(failure ? { failureDetails: failure.details, next: failure.hint } : {}),
  };
}
