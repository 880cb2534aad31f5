// `byok status`: the managed keys, most urgent first, against the local stack (--endpoint) or AWS,
// with an exit code for cron and monitoring (health.ts). This module only declares the command;
// action.ts does the work and is loaded when it runs.
import type { Command } from 'commander';
import { parseStateMachineArn } from '../../../../core/shared/parse.ts';
import {
  DEFAULT_LEAD_WINDOW_DAYS,
  MAX_LEAD_WINDOW_DAYS,
  MIN_LEAD_WINDOW_DAYS,
} from '../../../../core/sweep/lead-window.ts';
import { addAwsOptions, addOutputOptions } from '../../aws-options.ts';
import { DEFAULT_LOCAL_ENDPOINT, optionParser, parseWholeNumber } from '../../options.ts';
import { parseStatusEndpoint, type StatusOptions } from './options.ts';

export function registerStatusCommand(program: Command): void {
  const command = program
    .command('status')
    .summary('List the byok-managed keys, most urgent first: time left, next reimport, last result.')
    .description(
      'Reads every KMS key tagged byok:managed=true: key spec, HSM key, ValidTo, time left, when the sweep ' +
        'will reimport it (ValidTo minus the lead window, at most half its validity) and how its last import ' +
        'went. Keys without material (expired, deleted or never imported) come first and are flagged. ' +
        'Against the local stack with --endpoint, or AWS with the default credentials chain (or --profile). ' +
        'The exit code says whether anything needs attention, for cron and monitoring.',
    );
  addAwsOptions(command, {
    endpointHelp: `the local stack (e.g. ${DEFAULT_LOCAL_ENDPOINT}); without it, AWS`,
    parseEndpoint: parseStatusEndpoint,
  });
  command
    .option(
      '--lead-window-days <d>',
      'the sweep lead window',
      parseWholeNumber(MIN_LEAD_WINDOW_DAYS, MAX_LEAD_WINDOW_DAYS),
      DEFAULT_LEAD_WINDOW_DAYS,
    )
    .option(
      '--state-machine-arn <arn>',
      'on AWS: the import state machine whose executions give the last result',
      optionParser(parseStateMachineArn),
    );
  addOutputOptions(command, 'json: the report, with exitCode and problems');
  command
    .addHelpText(
      'after',
      '\nExit codes (the worst key decides; each problem is also one line on stderr):\n' +
        '  0  every managed key holds material that is not due, or was reimported since it became due\n' +
        '  1  the command failed (as for every byok command): nothing was checked\n' +
        '  2  material due within the lead window with no successful reimport since it became due\n' +
        '  3  a managed key has no material (never imported, deleted) or its material has expired\n' +
        '  4  a managed key could not be read (its tags, or its material in some Region): its state is unknown\n' +
        '\nExamples:\n' +
        `  byok status --endpoint ${DEFAULT_LOCAL_ENDPOINT}\n` +
        '  byok status --profile bank-prod --region eu-west-1 --output json\n' +
        '  byok status --profile bank-prod >/dev/null 2>&1 || echo "byok needs attention (exit $?)"',
    )
    .action(async (options: StatusOptions) => {
      const { runStatus } = await import('./action.ts');
      await runStatus(options);
    });
}
