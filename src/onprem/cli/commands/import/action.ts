// What `byok import` does (see register.ts and options.ts for its options). Loaded only when the command runs: it
// pulls in the AWS SDK, the HSM adapter and the local runner.

import { randomUUID } from 'node:crypto';
import { DescribeStateMachineCommand, ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { createSfnClient } from '../../../../core/aws/clients.ts';
import { systemClock } from '../../../../core/clock.ts';
import { defaultByokHome, loadHsmConfig } from '../../../../core/hsm/config.ts';
import { finalizeIdleModules } from '../../../../core/hsm/pkcs11-adapter.ts';
import type { ImportExecutionInput, ImportResult } from '../../../../core/import/contracts.ts';
import { parseImportExecutionInput } from '../../../../core/import/get-parameters-for-import.ts';
import { formatProof } from '../../../../core/import/report.ts';
import { sha1Disclosure } from '../../../../core/import/wrapping-algorithms.ts';
import { createLocalDeps, type LocalDeps } from '../../../runner/local-deps.ts';
import { createProgressReporter } from '../../../runner/progress.ts';
import { endpointClock } from '../../../runner/remote-clock.ts';
import { type ExecutionResult, runExecution } from '../../../runner/run-execution.ts';
import { type AslDefinition, taskStates } from '../../../runner/state-machines.ts';
import { tokenStateKind } from '../../../runner/tasks/integration.ts';
import { AwsSetupError, ImportFailedError } from '../../errors.ts';
import {
  type FailureReport,
  IMPORT_STATE,
  PUBLISH_FAILED_STATE,
  reportFailure,
  snapshotKey,
} from '../../outcome.ts';
import { runStart } from '../start/action.ts';
import { executionInputFrom, type ImportOptions } from './options.ts';

async function assertAwsReachable(deps: LocalDeps): Promise<void> {
  try {
    await deps.kms.config.credentials();
  } catch (error) {
    throw new AwsSetupError(
      'no AWS credentials found',
      'configure them (aws configure, AWS_PROFILE, or an instance role), or pass --endpoint for the local stack',
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
async function stackUsesHsmActivities(endpoint: string, region: string | undefined): Promise<boolean> {
  const sfn = createSfnClient({ endpoint, region });
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
  }
}

/**
 * The stack's HSM steps are activities, so the HSM is `byok worker`'s, not this process's: the
 * import runs as an execution of the stack's own state machine, followed to its end.
 */
async function importThroughStack(options: ImportOptions, input: ImportExecutionInput): Promise<void> {
  let outputText = 'null';
  const described = await runStart(
    {
      keyId: input.keyId,
      ...(input.hsmKeyLabel ? { hsmKeyLabel: input.hsmKeyLabel } : {}),
      ...(input.validForDays !== undefined ? { validForDays: input.validForDays } : {}),
      ...(input.validTo ? { validTo: input.validTo } : {}),
      ...(input.noExpiry ? { expiry: false } : {}),
      ...(input.wrappingAlgorithm ? { wrappingAlgorithm: input.wrappingAlgorithm } : {}),
      ...(input.wrappingKeySpec ? { wrappingKeySpec: input.wrappingKeySpec } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.region ? { region: options.region } : {}),
      name: `import-${randomUUID()}`,
      pollInterval: 200,
    },
    {
      out: (text) => {
        outputText = text;
      },
      err: (text) => {
        if (!options.json) process.stderr.write(text);
      },
    },
  );
  const output = JSON.parse(outputText) as ImportResult;
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          executionArn: described.executionArn,
          status: described.status,
          startDate: described.startDate?.toISOString(),
          stopDate: described.stopDate?.toISOString(),
          output,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  process.stdout.write(formatProof(output));
}

export async function runImport(options: ImportOptions): Promise<void> {
  // The schema the first step parses with, checked before the HSM or KMS is touched.
  const input = parseImportExecutionInput(executionInputFrom(options));
  if (options.endpoint && (await stackUsesHsmActivities(options.endpoint, options.region))) {
    await importThroughStack(options, input);
    return;
  }
  const hsmConfig = await loadHsmConfig(defaultByokHome());
  const clock = options.endpoint ? await endpointClock(options.endpoint) : systemClock;
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!options.endpoint && !region) {
    throw new AwsSetupError(
      'no AWS Region given',
      'pass --region or set AWS_REGION (or --endpoint for the local stack)',
    );
  }
  const deps = await createLocalDeps({ endpoint: options.endpoint, region, clock, hsmConfig });
  let result: ExecutionResult;
  let failure: FailureReport | undefined;
  try {
    if (!options.endpoint) await assertAwsReachable(deps);
    // The key as KMS shows it before the run, to tell afterwards whether a failed run changed it.
    const before = await snapshotKey(deps.kms, input.keyId);
    const progress = options.json ? undefined : createProgressReporter({ stream: process.stderr });
    result = await runExecution({
      stateMachine: 'import-key-material',
      input,
      deps,
      onProgress: progress?.onProgress,
    });
    if (result.status !== 'SUCCEEDED') {
      const reachedImport = enteredState(result, IMPORT_STATE);
      failure = reportFailure({
        keyId: input.keyId,
        reachedImport,
        publishFailure: publishFailureOf(result),
        before,
        after: reachedImport ? await snapshotKey(deps.kms, input.keyId) : undefined,
        endpoint: options.endpoint,
      });
    }
  } finally {
    await deps.close();
    finalizeIdleModules();
  }
  if (result.status === 'SUCCEEDED') {
    const output = result.output as ImportResult;
    const disclosure = sha1Disclosure(
      output.wrappingAlgorithm,
      input.wrappingAlgorithm ? '--wrapping-algorithm' : 'the tag byok:wrapping-algorithm',
    );
    if (disclosure) process.stderr.write(`${disclosure}\n`);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(summarize(result, failure), null, 2)}\n`);
    if (result.status !== 'SUCCEEDED') process.exitCode = 1;
    return;
  }
  if (result.status !== 'SUCCEEDED') {
    const specific = hintFor(result.error);
    const next = failure?.hint;
    throw new ImportFailedError(
      result,
      specific && next ? `${specific}; ${next}` : (specific ?? next),
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

function hintFor(error: string | undefined): string | undefined {
  switch (error) {
    case 'IncorrectKeyMaterialException':
      return 'this KMS key already holds other material: import the HSM key it was created from';
    case 'HsmKeyNotFoundError':
      return 'list the token keys with `byok hsm list`';
    case 'AliasNotAcceptedError':
      return 'resolve the alias first, e.g. aws kms describe-key --key-id <alias> --query KeyMetadata.Arn';
    case 'KeyOriginNotExternalError':
      return 'create the KMS key with origin EXTERNAL (aws kms create-key --origin EXTERNAL)';
    case 'HsmKeyLabelMissingError':
      return 'pass --hsm-key, or tag the KMS key with byok:hsm-key-label';
    case 'ThrottlingException':
      return 'KMS kept throttling after the retries; GetParametersForImport allows 1 request per second by default';
    case 'ExpiredImportTokenException':
      return 'each import token lives 24 hours; run the import again';
    default:
      return undefined;
  }
}
