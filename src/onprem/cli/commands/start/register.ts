// `byok start`: starts one import as an execution of the import-key-material state machine, on AWS
// or on the local stack's Step Functions API, and follows it to the end. This module only declares
// the command; action.ts does the work and is loaded when it runs.
import { type Command, Option } from 'commander';
import { WRAPPING_ALGORITHMS } from '../../../../core/hsm/port.ts';
import { MAX_VALID_FOR_DAYS, WRAPPING_KEY_SPECS } from '../../../../core/import/validity-limits.ts';
import { parseExecutionName, parseStateMachineArn } from '../../../../core/shared/parse.ts';
import {
  DEFAULT_LOCAL_ENDPOINT,
  optionParser,
  parseEndpointUrl,
  parseIsoDateTime,
  parseLabelOption,
  parseNonBlankOption,
  parseReasonOption,
  parseRegionOption,
} from '../../options.ts';
import { parseDays, parsePollInterval, type StartOptions } from './options.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .summary('Start the import state machine for one KMS key (on AWS or the local stack) and follow it.')
    .description(
      'Start an import of key material as an execution of the import-key-material state machine and follow it ' +
        'to the end. Against AWS give --state-machine-arn (or let byok find *-import-key-material); against the ' +
        'local stack give --endpoint. The execution name is derived from the request and the UTC day, so running ' +
        'the same command again follows the same execution instead of importing twice.',
    )
    .requiredOption(
      '--key-id <id>',
      'KMS key id or key ARN (origin EXTERNAL, tagged byok:managed=true)',
      parseNonBlankOption,
    )
    .option(
      '--state-machine-arn <arn>',
      'the import-key-material state machine (stack output ImportKeyMaterialStateMachineArn)',
      optionParser(parseStateMachineArn),
    )
    .addOption(
      new Option('--endpoint <url>', `the local stack (e.g. ${DEFAULT_LOCAL_ENDPOINT})`).argParser(
        parseEndpointUrl,
      ),
    )
    .option('--region <region>', 'AWS Region (default: AWS_REGION)', parseRegionOption)
    .option(
      '--hsm-key-label <label>',
      'HSM key holding the material (default: tag byok:hsm-key-label)',
      parseLabelOption,
    )
    .addOption(
      new Option(
        '--valid-for-days <days>',
        'validity of the imported material (default: tag byok:valid-for-days)',
      )
        .argParser(parseDays)
        .conflicts(['validTo', 'expiry']),
    )
    .addOption(
      new Option('--valid-to <iso-date-time>', `absolute expiry, at most ${MAX_VALID_FOR_DAYS} days ahead`)
        .argParser(parseIsoDateTime)
        .conflicts('expiry'),
    )
    .option('--no-expiry', 'import material that does not expire')
    .addOption(
      new Option('--wrapping-algorithm <algorithm>', 'wrapping algorithm').choices(WRAPPING_ALGORITHMS),
    )
    .addOption(new Option('--wrapping-key-spec <spec>', 'RSA wrapping key spec').choices(WRAPPING_KEY_SPECS))
    .option('--reason <text>', 'why this import runs (kept in logs and events)', parseReasonOption)
    .option(
      '--name <name>',
      'execution name (default: derived from the request and the day)',
      optionParser(parseExecutionName),
    )
    .option('--poll-interval <ms>', 'how often to ask DescribeExecution', parsePollInterval, 1000)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        `  byok start --endpoint ${DEFAULT_LOCAL_ENDPOINT} --key-id 1234abcd-12ab-34cd-56ef-1234567890ab\n` +
        '  byok start --region eu-west-1 --key-id arn:aws:kms:eu-west-1:111122223333:key/… --valid-for-days 90',
    )
    .action(async (options: StartOptions) => {
      const { runStart } = await import('./action.ts');
      await runStart(options);
    });
}
