// `byok status`: the managed keys, most urgent first, against the local stack (--endpoint) or AWS.
import { type Command, InvalidArgumentError } from 'commander';
import { createKmsClient, createSfnClient } from '../../aws/clients.ts';
import { type Clock, systemClock } from '../../clock.ts';
import { endpointClock } from '../../local/runner/remote-clock.ts';
import {
  collectStatus,
  formatTimeLeft,
  type LastRuns,
  lastRunsFromLocalEvents,
  lastRunsFromStepFunctions,
  type StatusReport,
} from '../../sweep/status.ts';

interface StatusOptions {
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
    .action(async (options: StatusOptions) => {
      const clientOptions = { endpoint: options.endpoint, region: options.region };
      const kms = createKmsClient(clientOptions);
      try {
        const clock: Clock = options.endpoint ? await endpointClock(options.endpoint) : systemClock;
        const lastRuns = await lastRunsFor(options);
        const report = await collectStatus({ kms, clock, leadWindowDays: options.leadWindowDays, lastRuns });
        process.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatStatus(report));
      } finally {
        kms.destroy();
      }
    });
}

async function lastRunsFor(options: StatusOptions): Promise<LastRuns> {
  if (options.endpoint) return lastRunsFromLocalEvents(options.endpoint);
  const sfn = createSfnClient({ region: options.region });
  try {
    return await lastRunsFromStepFunctions(sfn, options.stateMachineArn);
  } finally {
    sfn.destroy();
  }
}

export function formatStatus(report: StatusReport): string {
  if (report.keys.length === 0 && report.unreadable.length === 0) {
    return 'No byok-managed keys (tag byok:managed=true) in this account and Region.\n';
  }
  const header = ['', 'KEY', 'SPEC', 'HSM KEY', 'VALID TO', 'LEFT', 'NEXT REIMPORT', 'LAST RUN'];
  const rows = report.keys.map((key) => [
    key.withoutMaterial ? '!' : key.nextDue === 'now' ? '*' : ' ',
    key.keyId,
    key.keySpec,
    key.hsmKeyLabel ?? '-',
    key.validTo
      ? key.validTo.replace(/\.\d{3}Z$/, 'Z')
      : key.withoutMaterial
        ? 'NO MATERIAL'
        : 'never expires',
    key.secondsLeft === null ? '-' : formatTimeLeft(key.secondsLeft),
    key.nextDue === null
      ? key.note
        ? 'left alone'
        : '-'
      : key.nextDue === 'now'
        ? 'next sweep'
        : key.nextDue.slice(0, 10),
    key.lastRun
      ? `${key.lastRun.result}${key.lastRun.error ? ` (${key.lastRun.error})` : ''} ${key.lastRun.at.slice(0, 10)}`
      : '-',
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...rows].map((row) => (row[column] ?? '').length)),
  );
  const line = (row: string[]) =>
    `${row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd()}\n`;
  const notes = report.keys.filter((key) => key.note).map((key) => `  ${key.keyId}: ${key.note}\n`);
  const unreadable = report.unreadable.map((key) => `  ${key.keyId}: unreadable tags: ${key.why}\n`);
  return [
    `byok-managed keys at ${report.checkedAt} (lead window ${report.leadWindowDays} days; ! no material, * due now)\n`,
    line(header),
    ...rows.map(line),
    ...(notes.length + unreadable.length > 0 ? ['\n', ...notes, ...unreadable] : []),
  ].join('');
}
