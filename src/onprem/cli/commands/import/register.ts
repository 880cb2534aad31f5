// `byok import`: run the import workflow (the real ASL and handlers, in this process) for one KMS
// key, against the local stack (--endpoint) or against AWS with the default credentials chain: an
// on-premises run next to the HSM. Prints the proof, or the result as JSON.
// This module only declares the command (options.ts parses them); action.ts does the work and is loaded when it runs.
import { type Command, Option } from 'commander';
import { WRAPPING_ALGORITHMS } from '../../../../core/hsm/port.ts';
import {
  MAX_VALID_FOR_DAYS,
  MIN_VALID_FOR_DAYS,
  WRAPPING_KEY_SPECS,
} from '../../../../core/import/validity-limits.ts';
import { DEFAULT_BYOK_HOME } from '../../../../core/shared/paths.ts';
import {
  DEFAULT_LOCAL_ENDPOINT,
  parseEndpointUrl,
  parseIsoDateTime,
  parseLabelOption,
  parseNonBlankOption,
  parseReasonOption,
  parseRegionOption,
} from '../../options.ts';
import { type ImportOptions, parseValidFor } from './options.ts';

export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .summary('Run the import workflow for one KMS key in this process and print the proof.')
    .description(
      'Import key material from the HSM into a KMS key (origin EXTERNAL) with the import workflow, and prove ' +
        'it. Runs the state machine in this process: against the local stack with --endpoint, else against ' +
        'AWS (default credentials chain). The HSM is the one configured under $BYOK_HOME/hsm (BYOK_HOME ' +
        `defaults to ./${DEFAULT_BYOK_HOME}). Without an expiry option, the key's byok:valid-for-days tag applies, ` +
        `else ${MAX_VALID_FOR_DAYS} days.`,
    )
    .requiredOption('--key-id <id>', 'KMS key id or key ARN (not an alias)', parseNonBlankOption)
    .option(
      '--hsm-key <label>',
      'label of the HSM key (default: the key tag byok:hsm-key-label)',
      parseLabelOption,
    )
    .addOption(
      new Option(
        '--valid-for <days>',
        `validity in days, e.g. 90d (${MIN_VALID_FOR_DAYS}..${MAX_VALID_FOR_DAYS})`,
      )
        .argParser(parseValidFor)
        .conflicts(['validTo', 'expiry']),
    )
    .addOption(
      new Option('--valid-to <iso>', `expiry date and time, at most ${MAX_VALID_FOR_DAYS} days ahead`)
        .argParser(parseIsoDateTime)
        .conflicts(['expiry']),
    )
    .option('--no-expiry', 'import material that does not expire')
    .addOption(
      new Option('--wrapping-algorithm <algorithm>', 'wrapping algorithm').choices(WRAPPING_ALGORITHMS),
    )
    .addOption(new Option('--wrapping-key-spec <spec>', 'KMS wrapping key spec').choices(WRAPPING_KEY_SPECS))
    .option('--reason <text>', 'why this import runs (goes into logs and events)', parseReasonOption)
    .option(
      '--endpoint <url>',
      'KMS-compatible endpoint, e.g. the URL `byok local up` printed',
      parseEndpointUrl,
    )
    .option('--region <region>', 'AWS Region (default: AWS_REGION, or us-east-1 locally)', parseRegionOption)
    .option('--json', 'print the execution result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        `  byok import --endpoint ${DEFAULT_LOCAL_ENDPOINT} --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --hsm-key payments --valid-for 90d\n` +
        '  byok import --key-id arn:aws:kms:eu-west-1:111122223333:key/… --no-expiry --json',
    )
    .action(async (options: ImportOptions) => {
      const { runImport } = await import('./action.ts');
      await runImport(options);
    });
}
