// `byok import`: run the import workflow (the real ASL and handlers, in this process) for one KMS
// key, against the local stack (--endpoint) or against AWS with the default credentials chain: an
// on-premises run next to the HSM. Prints the proof, or the result as JSON.
import { type Command, InvalidArgumentError, Option } from 'commander';
import { systemClock } from '../../clock.ts';
import { defaultByokHome, loadHsmConfig } from '../../hsm/config.ts';
import { finalizeIdleModules } from '../../hsm/pkcs11-adapter.ts';
import { WRAPPING_ALGORITHMS } from '../../hsm/port.ts';
import { type ImportExecutionInput, type ImportResult, MAX_VALID_FOR_DAYS } from '../../import/contracts.ts';
import { formatProof } from '../../import/report.ts';
import { createLocalDeps, type LocalDeps } from '../../local/runner/local-deps.ts';
import { createProgressReporter } from '../../local/runner/progress.ts';
import { endpointClock } from '../../local/runner/remote-clock.ts';
import { type ExecutionResult, runExecution } from '../../local/runner/run-execution.ts';

interface ImportOptions {
  keyId: string;
  hsmKey?: string;
  validFor?: number;
  validTo?: string;
  expiry: boolean;
  wrappingAlgorithm?: string;
  wrappingKeySpec?: string;
  reason?: string;
  endpoint?: string;
  region?: string;
  json?: boolean;
}

/** Against AWS (no --endpoint) there must be a Region and credentials before anything runs. */
export class AwsSetupError extends Error {
  readonly hint: string;
  constructor(message: string, hint: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AwsSetupError';
    this.hint = hint;
  }
}

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

/** The workflow failed: named after the error that stopped it, with its cause as the message. */
export class ImportFailedError extends Error {
  readonly executionArn: string;
  readonly hint: string | undefined;
  constructor(result: ExecutionResult, hint?: string) {
    super(result.cause ?? `the import execution ended ${result.status}`);
    this.name = result.error ?? 'ImportFailedError';
    this.executionArn = result.executionArn;
    this.hint = hint;
  }
}

export function parseValidFor(text: string): number {
  const match = /^(\d+)d?$/.exec(text.trim());
  const days = match ? Number(match[1]) : Number.NaN;
  if (!Number.isInteger(days) || days < 1 || days > MAX_VALID_FOR_DAYS) {
    throw new InvalidArgumentError(`expected whole days 1..${MAX_VALID_FOR_DAYS}, e.g. 90d`);
  }
  return days;
}

function parseIsoDate(text: string): string {
  const date = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError('expected an ISO 8601 date and time, e.g. 2027-06-30T00:00:00Z');
  }
  return date.toISOString();
}

export function executionInputFrom(options: ImportOptions): ImportExecutionInput {
  return {
    keyId: options.keyId,
    ...(options.hsmKey ? { hsmKeyLabel: options.hsmKey } : {}),
    ...(options.validFor !== undefined ? { validForDays: options.validFor } : {}),
    ...(options.validTo ? { validTo: options.validTo } : {}),
    ...(options.expiry === false ? { noExpiry: true } : {}),
    ...(options.wrappingAlgorithm
      ? { wrappingAlgorithm: options.wrappingAlgorithm as ImportExecutionInput['wrappingAlgorithm'] }
      : {}),
    ...(options.wrappingKeySpec
      ? { wrappingKeySpec: options.wrappingKeySpec as ImportExecutionInput['wrappingKeySpec'] }
      : {}),
    ...(options.reason ? { reason: options.reason } : {}),
  };
}

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .summary('Run the import workflow for one KMS key in this process and print the proof.')
    .description(
      'Import key material from the HSM into a KMS key (origin EXTERNAL) with the import workflow, and prove it.\n' +
        'Runs the state machine in this process: against the local stack with --endpoint, else against AWS\n' +
        '(default credentials chain). The HSM is the one configured under $BYOK_HOME/hsm.',
    )
    .requiredOption('--key-id <id>', 'KMS key id or key ARN (not an alias)')
    .option('--hsm-key <label>', 'label of the HSM key (default: the key tag byok:hsm-key-label)')
    .addOption(
      new Option('--valid-for <days>', `validity in days, e.g. 90d (1..${MAX_VALID_FOR_DAYS})`)
        .argParser(parseValidFor)
        .conflicts(['validTo', 'expiry']),
    )
    .addOption(
      new Option('--valid-to <iso>', 'expiry date and time, at most 365 days ahead')
        .argParser(parseIsoDate)
        .conflicts(['expiry']),
    )
    .option('--no-expiry', 'import material that does not expire')
    .addOption(
      new Option('--wrapping-algorithm <algorithm>', 'wrapping algorithm').choices(WRAPPING_ALGORITHMS),
    )
    .addOption(
      new Option('--wrapping-key-spec <spec>', 'KMS wrapping key spec').choices([
        'RSA_2048',
        'RSA_3072',
        'RSA_4096',
      ]),
    )
    .option('--reason <text>', 'why this import runs (goes into logs and events)')
    .option('--endpoint <url>', 'KMS-compatible endpoint, e.g. the URL `byok local up` printed')
    .option('--region <region>', 'AWS Region (default: AWS_REGION, or us-east-1 locally)')
    .option('--json', 'print the execution result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  byok import --endpoint http://127.0.0.1:4599 --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --hsm-key payments --valid-for 90d\n' +
        '  byok import --key-id arn:aws:kms:eu-west-1:111122223333:key/… --no-expiry --json',
    )
    .action(async (options: ImportOptions) => {
      const input = executionInputFrom(options);
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
    });
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
