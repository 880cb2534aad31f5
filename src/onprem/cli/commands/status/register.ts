// `byok status`: the managed keys, most urgent first, against the local stack (--endpoint) or AWS.
// This module only declares the command; action.ts does the work and is loaded when it runs.
import type { Command } from 'commander';
import { parseStateMachineArn } from '../../../../core/shared/parse.ts';
import { DEFAULT_LOCAL_ENDPOINT, optionParser, parseRegionOption, parseWholeNumber } from '../../options.ts';
import { parseStatusEndpoint, type StatusOptions } from './options.ts';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .summary('List the byok-managed keys, most urgent first: time left, next reimport, last result.')
    .description(
      'Reads every KMS key tagged byok:managed=true: key spec, HSM key, ValidTo, time left, when the sweep ' +
        'will reimport it (ValidTo minus the lead window, at most half its validity) and how its last import ' +
        'went. Keys without material (expired, deleted or never imported) come first and are flagged. ' +
        'Against the local stack with --endpoint, or AWS with the default credentials chain.',
    )
    .option(
      '--endpoint <url>',
      `the local stack (e.g. ${DEFAULT_LOCAL_ENDPOINT}); without it, AWS`,
      parseStatusEndpoint,
    )
    .option('--region <region>', 'AWS Region (default: from the environment)', parseRegionOption)
    .option('--lead-window-days <d>', 'the sweep lead window', parseWholeNumber(1, 180), 14)
    .option(
      '--state-machine-arn <arn>',
      'on AWS: the import state machine whose executions give the last result',
      optionParser(parseStateMachineArn),
    )
    .option('--json', 'print the status as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        `  byok status --endpoint ${DEFAULT_LOCAL_ENDPOINT}\n` +
        '  byok status --region eu-west-1 --json',
    )
    .action(async (options: StatusOptions) => {
      const { runStatus } = await import('./action.ts');
      await runStatus(options);
    });
}
