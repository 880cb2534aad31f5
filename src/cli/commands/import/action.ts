// What `byok import` does (see register.ts and options.ts for its options). Loaded only when the command runs: it
// pulls in the AWS SDK, the HSM adapter and the local runner.
import { systemClock } from '../../../clock.ts';
import { defaultByokHome, loadHsmConfig } from '../../../hsm/config.ts';
import { finalizeIdleModules } from '../../../hsm/pkcs11-adapter.ts';
import type { ImportResult } from '../../../import/contracts.ts';
import { parseImportExecutionInput } from '../../../import/get-parameters-for-import.ts';
import { formatProof } from '../../../import/report.ts';
import { createLocalDeps, type LocalDeps } from '../../../runner/local-deps.ts';
import { createProgressReporter } from '../../../runner/progress.ts';
import { endpointClock } from '../../../runner/remote-clock.ts';
import { type ExecutionResult, runExecution } from '../../../runner/run-execution.ts';
import { AwsSetupError, ImportFailedError } from '../../errors.ts';
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

export async function runImport(options: ImportOptions): Promise<void> {
  // The schema the first step parses with, checked before the HSM or KMS is touched.
  const input = parseImportExecutionInput(executionInputFrom(options));
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
  try {
    if (!options.endpoint) await assertAwsReachable(deps);
    const progress = options.json ? undefined : createProgressReporter({ stream: process.stderr });
    result = await runExecution({
      stateMachine: 'import-key-material',
      input,
      deps,
      onProgress: progress?.onProgress,
    });
  } finally {
    await deps.close();
    finalizeIdleModules();
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(summarize(result), null, 2)}\n`);
    if (result.status !== 'SUCCEEDED') process.exitCode = 1;
    return;
  }
  if (result.status !== 'SUCCEEDED') throw new ImportFailedError(result, hintFor(result.error));
  process.stdout.write(formatProof(result.output as ImportResult));
}

/** The execution as DescribeExecution would show it, plus the events it published. */
function summarize(result: ExecutionResult) {
  return {
    executionArn: result.executionArn,
    status: result.status,
    startDate: result.startDate.toISOString(),
    stopDate: result.stopDate.toISOString(),
    ...(result.output !== undefined ? { output: result.output } : {}),
    ...(result.error ? { error: result.error, cause: result.cause } : {}),
    publishedEvents: result.publishedEvents,
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
