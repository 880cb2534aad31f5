// `byok simulate`: a year (or any number of days) of byok's schedule on the embedded stack, with
// real imports from a temporary NSS token, and what it measured: reimports, failed executions,
// and how long any managed key was without material. This module only declares the command;
// action.ts does the work and is loaded when it runs.
import type { Command } from 'commander';
import {
  DEFAULT_LEAD_WINDOW_DAYS,
  MAX_LEAD_WINDOW_DAYS,
  MIN_LEAD_WINDOW_DAYS,
} from '../../../../core/sweep/lead-window.ts';
import { addOutputOptions } from '../../aws-options.ts';
import { parseWholeNumber as wholeNumber } from '../../options.ts';
import { parseRotateEvery, type SimulateOptions } from './options.ts';

export function registerSimulateCommand(program: Command): void {
  const command = program
    .command('simulate')
    .summary('Simulate days of scheduled reimports on the embedded stack and report expiries.')
    .description(
      'Starts the embedded stack with a temporary NSS token, creates K byok-managed keys of mixed specs ' +
        '(symmetric, HMAC, ECC, RSA) and validities (30 to 90 days), imports them, then moves the virtual ' +
        'clock through N days with the deployed rules firing (daily sweep, expiration rule). Reports ' +
        'reimports, failed executions and expiredKeySeconds: the seconds any managed key spent without ' +
        'material, measured from the local KMS.',
    )
    .requiredOption('--days <n>', 'days of virtual time to simulate (1..3650)', wholeNumber(1, 3650))
    .option('--keys <k>', 'managed keys to create (1..200)', wholeNumber(1, 200), 12)
    .option(
      '--lead-window-days <d>',
      `reimport when ValidTo is this close (${MIN_LEAD_WINDOW_DAYS}..${MAX_LEAD_WINDOW_DAYS})`,
      wholeNumber(MIN_LEAD_WINDOW_DAYS, MAX_LEAD_WINDOW_DAYS),
      DEFAULT_LEAD_WINDOW_DAYS,
    )
    .option(
      '--quota <perSecond>',
      'GetParametersForImport quota enforced locally and paced by the sweep (1..1000)',
      wholeNumber(1, 1000),
      50,
    )
    .option(
      '--rotate-every <days>',
      'rotate every symmetric key this often (e.g. 90d) through the rotation workflow, approved by two simulated approvers',
      parseRotateEvery,
    )
    .option(
      '--accounts <a>',
      'a fleet: this many accounts (the hub first) swept by reimport-fleet through their spoke roles (1..50); --keys is then per account and Region',
      wholeNumber(1, 50),
    )
    .option('--regions <r>', 'a fleet: this many Regions of every account (1..6)', wholeNumber(1, 6));
  addOutputOptions(command, 'json: the result as one JSON object on the last line');
  command
    .addHelpText(
      'after',
      '\nExits 1 if any execution failed or any key went without material. Examples:\n' +
        '  byok simulate --days 400 --keys 12\n' +
        '  byok simulate --days 400 --keys 12 --rotate-every 90d --json\n' +
        '  byok simulate --days 30 --keys 3 --json\n' +
        '  byok simulate --accounts 3 --regions 2 --keys 4 --days 400 --rotate-every 90d --json   (a fleet, docs/fleet.md)',
    )
    .action(async (options: SimulateOptions) => {
      const { runSimulate } = await import('./action.ts');
      await runSimulate(options);
    });
}
