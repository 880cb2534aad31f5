// `byok status`: the managed keys, most urgent first, against the local stack (--endpoint) or AWS.
// This module only declares the command; status-action.ts does the work and is loaded when it runs.
import { type Command, InvalidArgumentError } from 'commander';
export interface StatusOptions {
  endpoint?: string;
  region?: string;
  leadWindowDays: number;
  stateMachineArn?: string;
  json?: boolean;
}

function parseEndpoint(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError('expected a URL such as http://127.0.0.1:4599');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError('expected an http(s) URL');
  return url.toString().replace(/\/$/, '');
}

function parseDays(text: string): number {
  const days = Number(text);
  if (!/^\d+$/.test(text.trim()) || days < 1 || days > 180)
    throw new InvalidArgumentError('expected whole days 1..180');
  return days;
}

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
      'the local stack (e.g. http://127.0.0.1:4599); without it, AWS',
      parseEndpoint,
    )
    .option('--region <region>', 'AWS Region (default: from the environment)')
    .option('--lead-window-days <d>', 'the sweep lead window', parseDays, 14)
    .option(
      '--state-machine-arn <arn>',
      'on AWS: the import state machine whose executions give the last result',
    )
    .option('--json', 'print the status as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  byok status --endpoint http://127.0.0.1:4599\n' +
        '  byok status --region eu-west-1 --json',
    )
    .action(async (options: StatusOptions) => {
      const { runStatus } = await import('./status-action.ts');
      await runStatus(options);
    });
}
