// `byok fleet`: the hub's view of the fleet (docs/fleet.md). `spoke-template` writes the
// CloudFormation every spoke account deploys; `status`, `report` and `targets` read what
// reimport-fleet wrote and check every spoke role and Region. This module only declares the
// commands; action.ts does the work and is loaded when one runs.
import type { Command } from 'commander';
import {
  DEFAULT_LEAD_WINDOW_DAYS,
  MAX_LEAD_WINDOW_DAYS,
  MIN_LEAD_WINDOW_DAYS,
} from '../../../../core/sweep/lead-window.ts';
import { addAwsOptions, addOutputOptions } from '../../aws-options.ts';
import { parseWholeNumber } from '../../options.ts';
import {
  type FleetReportOptions,
  type FleetStatusOptions,
  type FleetTargetsOptions,
  parseAccountId,
  parseBucketName,
  parseRegionList,
  parseReportFormat,
  type SpokeTemplateOptions,
} from './options.ts';

const BUCKET_HELP = "the hub's fleet bucket (default: BYOK_FLEET_BUCKET; on the local stack, byok-fleet-hub)";

export function registerFleetCommands(program: Command): void {
  const fleet = program
    .command('fleet')
    .summary('Hub and spokes: every managed key in every account and Region, from one place.')
    .description(
      'The hub (the stack deployed with fleetMode=true) sweeps every (account, Region) of the fleet through ' +
        'the spoke role each account holds, as one Distributed Map, and writes one report. See docs/fleet.md.',
    );

  fleet
    .command('spoke-template')
    .summary(
      'Print the CloudFormation template every spoke account deploys (role byok-spoke, event forwarding).',
    )
    .option('--hub-account <id>', "the hub's account id (default: asked for at deploy time)", parseAccountId)
    .option(
      '--regions <list>',
      'the Regions it will be deployed to; the first holds the (global) role',
      parseRegionList,
    )
    .option('--role-name <name>', 'the spoke role (default byok-spoke)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  byok fleet spoke-template --hub-account 111122223333 --regions eu-west-1,eu-central-1 > spoke.json\n' +
        '  aws cloudformation create-stack-set --stack-set-name byok-spoke --template-body file://spoke.json \\\n' +
        '    --permission-model SERVICE_MANAGED --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false \\\n' +
        "    --capabilities CAPABILITY_NAMED_IAM --parameters ParameterKey=ExternalId,ParameterValue=<the hub's fleetExternalId>",
    )
    .action(async (options: SpokeTemplateOptions) => {
      const { runSpokeTemplate } = await import('./action.ts');
      runSpokeTemplate(options);
    });

  addOutputOptions(
    addAwsOptions(
      fleet
        .command('status')
        .summary(
          'One table across accounts and Regions, most urgent first (the last report, or live with --targets).',
        )
        .option('--targets <file>', 'a targets document: read every pair now through its spoke role')
        .option('--report <key>', 'the report to show (default: the newest in the bucket)')
        .option('--bucket <name>', BUCKET_HELP, parseBucketName)
        .option(
          '--lead-window-days <d>',
          'the sweep lead window, for --targets',
          parseWholeNumber(MIN_LEAD_WINDOW_DAYS, MAX_LEAD_WINDOW_DAYS),
          DEFAULT_LEAD_WINDOW_DAYS,
        ),
    ),
    'the report as JSON',
  ).action(async (options: FleetStatusOptions) => {
    const { runFleetStatus } = await import('./action.ts');
    await runFleetStatus(options);
  });

  addAwsOptions(
    fleet
      .command('report')
      .summary('Print the fleet report (the newest, or --report) as HTML, CSV or JSON.')
      .requiredOption('--format <format>', 'html, csv or json', parseReportFormat)
      .option('--report <key>', 'the report (its report.json key; default: the newest in the bucket)')
      .option('--bucket <name>', BUCKET_HELP, parseBucketName),
  ).action(async (options: FleetReportOptions) => {
    const { runFleetReport } = await import('./action.ts');
    await runFleetReport(options);
  });

  addOutputOptions(
    addAwsOptions(
      fleet
        .command('targets')
        .summary('Check that every spoke role can be assumed and every Region answers; name each failure.')
        .option('--targets <file>', 'a targets document (default: the one in the fleet bucket)')
        .option('--bucket <name>', BUCKET_HELP, parseBucketName)
        .addHelpText(
          'after',
          '\nThe external id comes from BYOK_FLEET_EXTERNAL_ID. Exits 1 when any pair fails.',
        ),
    ),
  ).action(async (options: FleetTargetsOptions) => {
    const { runFleetTargets } = await import('./action.ts');
    await runFleetTargets(options);
  });
}
