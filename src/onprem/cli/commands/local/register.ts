// `byok local up` runs the embedded local stack (KMS-compatible endpoint and friends) in the
// foreground; `byok local clock` reads and moves its virtual clock over the admin API. This module
// only declares the commands; action.ts does the work and is loaded when one runs.
import { type Command, Option } from 'commander';
import { DEFAULT_BYOK_HOME } from '../../../../core/shared/paths.ts';
import { parseDuration } from '../../../../local/clock.ts';
import {
  DEFAULT_LOCAL_ENDPOINT,
  DEFAULT_LOCAL_PORT,
  parseEndpointUrl,
  parseIsoDateTime,
  parseNonBlankOption,
} from '../../options.ts';
import {
  defaultEndpoint,
  parseAccountId,
  parseApprovalsRequired,
  parsePort,
  parsePrewarm,
  parseQuotas,
  parseRegion,
  type UpOptions,
} from './options.ts';

export function registerLocalCommands(program: Command): void {
  const local = program.command('local').description('Run and control the embedded local AWS stack.');

  local
    .command('up')
    .description(
      'Serve the local stack (KMS-compatible endpoint) in the foreground; prints its URL once ready.',
    )
    .option('--port <n>', 'port to listen on (0 picks a free one)', parsePort, DEFAULT_LOCAL_PORT)
    .option('--host <host>', 'address to listen on', parseNonBlankOption, '127.0.0.1')
    .option(
      '--state-dir <dir>',
      `where state is kept (default: $BYOK_HOME/local, BYOK_HOME defaults to ./${DEFAULT_BYOK_HOME})`,
      parseNonBlankOption,
    )
    .option('--memory', 'keep everything in memory; nothing survives a stop')
    .option(
      '--region <region>',
      "Region of unsigned requests and of new keys (default: the state dir's, else us-east-1)",
      parseRegion,
    )
    .option(
      '--account-id <id>',
      "account id in ARNs (default: the state dir's, else 111122223333)",
      parseAccountId,
    )
    .addOption(
      new Option('--quotas <profile>', "request quotas: 'aws-default' (AWS's default rates)").argParser(
        parseQuotas,
      ),
    )
    .option('--public-bind', 'allow a non-loopback --host')
    .addOption(
      new Option(
        '--hsm-placement <placement>',
        "where the workflow's HSM steps run: 'lambda' (in this process, with the token of $BYOK_HOME) or 'activity' (no HSM here: `byok worker --endpoint <URL>` polls the wrap activity from its own process)",
      )
        .choices(['lambda', 'activity'])
        .default('lambda'),
    )
    .addOption(
      new Option(
        '--prewarm <specs>',
        'wrapping key sizes generated in the background at start, comma-separated (others on first use)',
      )
        .argParser(parsePrewarm)
        .default(['RSA_2048'], 'RSA_2048'),
    )
    .option('--console', 'also serve the web console for this stack (its URL is the second line on stdout)')
    .option(
      '--approval-team <file>',
      'the approval team (JSON: members with their principal patterns, approvalsRequired, localAccessKeys; docs/rotation.md); default: each access key id is its own member',
      parseNonBlankOption,
    )
    .option(
      '--approvals-required <n>',
      'approvals every rotation needs without a team file (1..5, default 1); a key tag byok:approvals-required may only raise it',
      parseApprovalsRequired,
    )
    .addHelpText(
      'after',
      '\nStop it with Ctrl-C (SIGINT) or SIGTERM. Other commands reach it with --endpoint <printed URL>.\n' +
        'Examples:\n' +
        `  byok local up                     # ${DEFAULT_LOCAL_ENDPOINT}, state in ./${DEFAULT_BYOK_HOME}/local\n` +
        '  byok local up --port 0 --memory   # a free port, nothing kept\n' +
        '  byok local up --hsm-placement activity   # then, in another shell: byok worker --endpoint <URL>\n' +
        '  byok local up --approval-team team.json  # approvals by named people (docs/rotation.md)',
    )
    .action(async (options: UpOptions) => {
      const { runUp } = await import('./action.ts');
      await runUp(options);
    });

  const clock = local.command('clock').description("Read or move a running local stack's virtual clock.");
  const endpointOption = () =>
    new Option('--endpoint <url>', 'local stack URL')
      .argParser(parseEndpointUrl)
      .default(defaultEndpoint(), `$BYOK_LOCAL_ENDPOINT or ${DEFAULT_LOCAL_ENDPOINT}`);
  clock
    .command('show', { isDefault: true })
    .description('Print the virtual time.')
    .addOption(endpointOption())
    .action(async (options: { endpoint: string }) => {
      const { callClock, printClock } = await import('./action.ts');
      printClock(await callClock(options.endpoint));
    });
  clock
    .command('advance <duration>')
    .description(
      'Move the clock forward, firing every expiry and schedule on the way (e.g. 25h, 1d12h, 400d).',
    )
    .addOption(endpointOption())
    .action(async (duration: string, options: { endpoint: string }) => {
      parseDuration(duration);
      const { callClock, printClock } = await import('./action.ts');
      printClock(await callClock(options.endpoint, { advance: duration }));
    });
  clock
    .command('set')
    .description('Move the clock forward to an ISO 8601 instant.')
    .argument('<iso>', 'date and time, e.g. 2027-06-30T00:00:00Z', parseIsoDateTime)
    .addOption(endpointOption())
    .action(async (iso: string, options: { endpoint: string }) => {
      const { callClock, printClock } = await import('./action.ts');
      printClock(await callClock(options.endpoint, { set: iso }));
    });
}
