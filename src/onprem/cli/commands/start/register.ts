// `byok start`: starts one import as an execution of the import-key-material state machine, on AWS
// or on the local stack's Step Functions API, and follows it to the end. This module only declares
// the command; action.ts does the work and is loaded when it runs.
import type { Command } from 'commander';
import { parseExecutionName, parseStateMachineArn } from '../../../../core/shared/parse.ts';
import { addAwsOptions, addOutputOptions } from '../../aws-options.ts';
import { addImportRequestOptions } from '../../import-request-options.ts';
import { DEFAULT_LOCAL_ENDPOINT, optionParser, parseNonBlankOption } from '../../options.ts';
import { parsePollInterval, type StartOptions } from './options.ts';

export function registerStartCommand(program: Command): void {
  const command = program
    .command('start')
    .summary('Start the import state machine for one KMS key (on AWS or the local stack) and follow it.')
    .description(
      'Start an import of key material as an execution of the import-key-material state machine and follow it ' +
        'to the end, printing each step on stderr and the proof on stdout (as byok import does; --output json ' +
        'for the execution as JSON). Against AWS give --state-machine-arn (or let byok find *-import-key-material); ' +
        'against the local stack give --endpoint. The execution name is derived from the request and the UTC day, ' +
        'so running the same command again follows the same execution instead of importing twice. Takes the ' +
        'same import options as byok import; the old names --hsm-key-label and --valid-for-days still work.',
    )
    .requiredOption(
      '--key-id <id>',
      'KMS key id or key ARN (origin EXTERNAL, tagged byok:managed=true; an ARN gives the Region)',
      parseNonBlankOption,
    )
    .option(
      '--state-machine-arn <arn>',
      'the import-key-material state machine (stack output ImportKeyMaterialStateMachineArn)',
      optionParser(parseStateMachineArn),
    );
  addImportRequestOptions(command);
  addAwsOptions(command);
  addOutputOptions(command, 'json: the execution and its output');
  command
    .option(
      '--name <name>',
      'execution name (default: derived from the request and the day)',
      optionParser(parseExecutionName),
    )
    .option('--poll-interval <ms>', 'how often to ask DescribeExecution', parsePollInterval, 1000)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        `  byok start --endpoint ${DEFAULT_LOCAL_ENDPOINT} --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --hsm-key payments --valid-for 90d\n` +
        '  byok start --profile bank-prod --key-id arn:aws:kms:eu-west-1:111122223333:key/… --output json',
    )
    .action(async (options: StartOptions) => {
      const { runStart } = await import('./action.ts');
      await runStart(options);
    });
}
