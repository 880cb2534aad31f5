// What `byok fleet` does (register.ts declares it). Loaded only when a fleet command runs: it pulls
// in the AWS SDK and the fleet's core.
import { readFile } from 'node:fs/promises';
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { createKmsClient, createS3Client, createStsClient } from '../../../../core/aws/clients.ts';
import { createFleetKmsClients, type FleetKmsClients } from '../../../../core/aws/fleet-clients.ts';
import { listObjects } from '../../../../core/aws/paginate-s3.ts';
import { createBindingsStore } from '../../../../core/bindings/factory.ts';
import { type Clock, systemClock } from '../../../../core/clock.ts';
import { DEFAULT_FLEET_SETTINGS } from '../../../../core/fleet/config.ts';
import type { FleetReport, TargetsDocument } from '../../../../core/fleet/contracts.ts';
import { pairsOfDocument, parseTargetsDocument } from '../../../../core/fleet/discover-targets.ts';
import { FleetConfigurationError, FleetResultsError } from '../../../../core/fleet/errors.ts';
import { classifySpokeError } from '../../../../core/fleet/failures.ts';
import { reportCsv, reportHtml } from '../../../../core/fleet/report-formats.ts';
import { spokeTemplate } from '../../../../core/fleet/spoke-template.ts';
import { SweepInputSchema } from '../../../../core/sweep/contracts.ts';
import { findExpiringKeys } from '../../../../core/sweep/find-expiring-keys.ts';
import { endpointClock } from '../../../runner/remote-clock.ts';
import { cell, terminalJson } from '../../terminal.ts';
import {
  DEFAULT_LOCAL_FLEET_BUCKET,
  type FleetCommonOptions,
  type FleetReportOptions,
  type FleetStatusOptions,
  type FleetTargetsOptions,
  type SpokeTemplateOptions,
} from './options.ts';

export function runSpokeTemplate(options: SpokeTemplateOptions): void {
  const template = spokeTemplate({
    hubAccountId: options.hubAccount,
    regions: options.regions,
    roleName: options.roleName,
  });
  process.stdout.write(`${terminalJson(template, 2)}\n`);
}

function bucketOf(options: FleetCommonOptions): string {
  const bucket =
    options.bucket ??
    process.env.BYOK_FLEET_BUCKET ??
    (options.endpoint ? DEFAULT_LOCAL_FLEET_BUCKET : undefined);
  if (!bucket) {
    throw new FleetConfigurationError('no fleet bucket given', {
      hint: "pass --bucket <the hub stack's FleetBucket> or set BYOK_FLEET_BUCKET",
    });
  }
  return bucket;
}

function clientOptions(options: FleetCommonOptions) {
  return { endpoint: options.endpoint, region: options.region };
}

async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await object.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    throw new FleetResultsError(
      `s3://${bucket}/${key} cannot be read: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      { cause: error },
    );
  }
}

/** Reports read at most, newest first, looking for the newest run of the whole fleet. */
const MAX_REPORTS_READ = 50;

/** The report.json keys under the bucket's fleet runs, newest first (fleet ids sort by time). */
async function reportKeysNewestFirst(s3: S3Client, bucket: string): Promise<string[]> {
  const objects = await listObjects(s3, bucket, 'fleet/runs/').catch((error: unknown) => {
    throw new FleetResultsError(`the fleet runs in s3://${bucket} cannot be listed`, { cause: error });
  });
  const keys = objects.flatMap((object) => (object.Key?.endsWith('/report/report.json') ? [object.Key] : []));
  if (keys.length === 0) {
    throw new FleetResultsError(`no fleet report in s3://${bucket} yet`, {});
  }
  return keys.sort().reverse();
}

interface ChosenReport {
  report: FleetReport;
  /** Newer runs left out because their input narrowed them (docs/security.md, "Account principals"). */
  narrowerNewer: { key: string; report: FleetReport }[];
}

function isNarrowed(report: FleetReport): boolean {
  return (report.narrowedBy?.length ?? 0) > 0;
}

/**
 * The report `--report` names; else the newest run of the whole fleet. Anyone who may start
 * reimport-fleet chooses its input, so a newer run that covered less (`include`, `exclude`,
 * `targets`, `retryFailedOf`, a later `alarmDays`, ...) is named, not shown as the fleet's status.
 * With no whole run among the newest MAX_REPORTS_READ, the newest is shown, marked as narrowed.
 */
async function readReport(
  options: FleetCommonOptions & { report?: string | undefined },
): Promise<ChosenReport> {
  const s3 = createS3Client(clientOptions(options));
  try {
    const bucket = bucketOf(options);
    if (options.report) {
      return {
        report: JSON.parse(await readText(s3, bucket, options.report)) as FleetReport,
        narrowerNewer: [],
      };
    }
    const narrowerNewer: ChosenReport['narrowerNewer'] = [];
    for (const key of (await reportKeysNewestFirst(s3, bucket)).slice(0, MAX_REPORTS_READ)) {
      const report = JSON.parse(await readText(s3, bucket, key)) as FleetReport;
      if (!isNarrowed(report)) return { report, narrowerNewer };
      narrowerNewer.push({ key, report });
    }
    const [newest, ...rest] = narrowerNewer;
    if (!newest) throw new FleetResultsError(`no fleet report in s3://${bucket} yet`, {});
    return { report: newest.report, narrowerNewer: rest };
  } finally {
    s3.destroy();
  }
}

/** One stderr line per newer narrowed run, and one when the report shown is narrowed itself. */
function noteNarrowedRuns(chosen: ChosenReport): void {
  for (const { key, report } of chosen.narrowerNewer) {
    process.stderr.write(
      `${cell(
        `note: fleet run ${report.fleetId} (checked ${report.checkedAt}) was narrowed by its input (${(report.narrowedBy ?? []).join(', ')}) and is not the fleet's status; see --report ${key}`,
      )}\n`,
    );
  }
  if (isNarrowed(chosen.report)) {
    process.stderr.write(
      `${cell(
        `note: fleet run ${chosen.report.fleetId} was narrowed by its input (${(chosen.report.narrowedBy ?? []).join(', ')}): no run of the whole fleet among the newest ${MAX_REPORTS_READ}`,
      )}\n`,
    );
  }
}

export async function runFleetReport(options: FleetReportOptions): Promise<void> {
  const chosen = await readReport(options);
  noteNarrowedRuns(chosen);
  const { report } = chosen;
  const text =
    options.format === 'json'
      ? `${terminalJson(report, 2)}\n`
      : options.format === 'csv'
        ? reportCsv(report)
        : reportHtml(report);
  process.stdout.write(text);
}

interface StatusRow {
  accountId: string;
  region: string;
  status: string;
  managedKeys: number;
  due: number;
  reimported: number | undefined;
  failed: number;
  soonestValidTo: string | undefined;
  error?: string | undefined;
  cause?: string | undefined;
  hint?: string | undefined;
}

/** A pair whose sweep SUCCEEDED but could not read some keys covered less than it should: PARTIAL. */
function pairStatus(pair: FleetReport['pairs'][number]): string {
  return pair.status === 'SUCCEEDED' && (pair.unread ?? 0) > 0 ? 'PARTIAL' : pair.status;
}

function rowsOfReport(report: FleetReport): StatusRow[] {
  return report.pairs.map((pair) => ({
    accountId: pair.accountId,
    region: pair.region,
    status: pairStatus(pair),
    managedKeys: pair.managedKeys,
    due: pair.due,
    reimported: pair.reimported,
    failed: pair.failed,
    soonestValidTo: pair.materials
      .map((material) => material.validTo)
      .filter(Boolean)
      .sort()[0],
    error:
      pair.error ??
      pair.failures[0]?.error ??
      (pairStatus(pair) === 'PARTIAL' ? pair.outcomeReason : undefined),
    cause: pair.cause ?? pair.failures[0]?.cause,
    hint: pair.hint,
  }));
}

/**
 * The fleet table. Errors, causes and hints come from spoke accounts' answers and from the report in
 * S3 (whoever can write the bucket): every value goes through cell, so none adds a row or moves the
 * cursor.
 */
export function fleetTable(rows: StatusRow[], header: string): string {
  const lines = [
    header,
    '',
    `${'account'.padEnd(14)}${'Region'.padEnd(16)}${'status'.padEnd(10)}${'managed'.padEnd(9)}${'due'.padEnd(5)}${'reimp.'.padEnd(8)}${'failed'.padEnd(8)}${'soonest ValidTo'.padEnd(26)}error`,
  ];
  const text = (value: unknown) => cell(String(value ?? '-'));
  for (const row of rows) {
    lines.push(
      `${text(row.accountId).padEnd(14)}${text(row.region).padEnd(16)}${text(row.status).padEnd(10)}${text(row.managedKeys).padEnd(9)}${text(row.due).padEnd(5)}${text(row.reimported).padEnd(8)}${text(row.failed).padEnd(8)}${text(row.soonestValidTo).padEnd(26)}${cell(row.error ?? '')}`,
    );
    if (row.cause) lines.push(`    ${cell(String(row.cause).slice(0, 300))}`);
    if (row.hint) lines.push(`    hint: ${cell(String(row.hint))}`);
  }
  return `${lines.join('\n')}\n`;
}

function printTable(rows: StatusRow[], header: string): void {
  process.stdout.write(fleetTable(rows, header));
}

/** Failed pairs first, then pairs with failed keys, then the most due, then the soonest ValidTo. */
function mostUrgentFirst(rows: StatusRow[]): StatusRow[] {
  return [...rows].sort(
    (a, b) =>
      Number(b.status !== 'SUCCEEDED' && b.status !== 'OK') -
        Number(a.status !== 'SUCCEEDED' && a.status !== 'OK') ||
      b.failed - a.failed ||
      b.due - a.due ||
      (a.soonestValidTo ?? '9').localeCompare(b.soonestValidTo ?? '9'),
  );
}

export async function runFleetStatus(options: FleetStatusOptions): Promise<void> {
  if (options.targets) return runLiveStatus(options, options.targets);
  const chosen = await readReport(options);
  noteNarrowedRuns(chosen);
  const { report } = chosen;
  if (options.output === 'json') process.stdout.write(`${terminalJson(report, 2)}\n`);
  else {
    const t = report.totals;
    printTable(
      mostUrgentFirst(rowsOfReport(report)),
      cell(
        `Fleet run ${report.fleetId} (checked ${report.checkedAt}): ${t.pairs} pairs, ${t.succeeded} swept, ${t.failed} failed, ${t.notRun} not run; ${t.reimported} of ${t.due} due materials reimported, ${t.failedKeys} failed${t.unreadKeys ? `, ${t.unreadKeys} keys not read` : ''}${report.alarm ? '; ALARM' : ''}.`,
      ),
    );
    for (const item of report.atRisk) {
      process.stdout.write(
        `${cell(
          `at risk: ${item.accountId} ${item.region} ${item.keyId}${item.keyMaterialId ? ` ${item.keyMaterialId}` : ''}: ValidTo ${item.validTo}, ${item.daysLeft} days left`,
        )}\n`,
      );
    }
  }
  // Exit 0 only when every pair was swept whole: a key a pair's sweep could not read is not covered.
  const unread =
    report.totals.unreadKeys ?? report.pairs.reduce((total, pair) => total + (pair.unread ?? 0), 0);
  // And not while a material is at risk (within the alarm days of its ValidTo, not reimported by
  // the run): the header said ALARM and the exit was 0. A narrowed run shown because no whole run
  // was found does not say the fleet is whole either.
  if (
    report.totals.failed > 0 ||
    report.totals.notRun > 0 ||
    report.totals.failedKeys > 0 ||
    unread > 0 ||
    report.atRisk.length > 0 ||
    isNarrowed(report)
  )
    process.exitCode = 1;
}

interface FleetContext {
  hubAccountId: string;
  clients: FleetKmsClients;
  close(): void;
}

async function fleetContext(options: FleetCommonOptions): Promise<FleetContext> {
  const sts = createStsClient(clientOptions(options));
  const hubKms = new Map<string, ReturnType<typeof createKmsClient>>();
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    const hubAccountId = identity.Account ?? '';
    const clients = createFleetKmsClients({
      endpoint: options.endpoint,
      region: options.region,
      hubAccountId,
      spokeRoleName: process.env.BYOK_SPOKE_ROLE_NAME || DEFAULT_FLEET_SETTINGS.spokeRoleName,
      externalId: process.env.BYOK_FLEET_EXTERNAL_ID || undefined,
      sessionName: 'byok-cli',
      hubKms: (region) => {
        let client = hubKms.get(region);
        if (!client) {
          client = createKmsClient({ endpoint: options.endpoint, region });
          hubKms.set(region, client);
        }
        return client;
      },
    });
    return {
      hubAccountId,
      clients,
      close() {
        clients.destroy();
        for (const client of hubKms.values()) client.destroy();
      },
    };
  } finally {
    sts.destroy();
  }
}

async function targetsDocument(
  options: FleetCommonOptions & { targets?: string | undefined },
): Promise<TargetsDocument> {
  if (options.targets) return parseTargetsDocument(await readFile(options.targets, 'utf8'), options.targets);
  const s3 = createS3Client(clientOptions(options));
  try {
    const bucket = bucketOf(options);
    const key = DEFAULT_FLEET_SETTINGS.targetsKey;
    return parseTargetsDocument(await readText(s3, bucket, key), `s3://${bucket}/${key}`);
  } finally {
    s3.destroy();
  }
}

function errorFields(error: unknown): { error: string; cause: string; hint?: string | undefined } {
  const hint = (error as { hint?: unknown }).hint;
  return {
    error: error instanceof Error ? error.name : 'Error',
    cause: error instanceof Error ? error.message : String(error),
    ...(typeof hint === 'string' ? { hint } : {}),
  };
}

async function runLiveStatus(options: FleetStatusOptions, file: string): Promise<void> {
  const pairs = pairsOfDocument(await targetsDocument({ ...options, targets: file }), []);
  const context = await fleetContext(options);
  const clock: Clock = options.endpoint ? await endpointClock(options.endpoint) : systemClock;
  // The hub's bindings (docs/bindings.md) decide for every account's keys, as in the sweep.
  const bindings = createBindingsStore({ endpoint: options.endpoint, region: options.region });
  try {
    const rows: StatusRow[] = [];
    for (const pair of pairs) {
      const input = SweepInputSchema.parse({
        target: { accountId: pair.accountId, region: pair.region },
        leadWindowDays: options.leadWindowDays,
      });
      try {
        const found = await findExpiringKeys(
          {
            kms: context.clients.forAccount(pair.accountId, pair.region),
            kmsForAccount: (accountId, region) => context.clients.forAccount(accountId, region),
            roleArnOf: (accountId) => context.clients.roleArnOf(accountId),
            bindings,
            clock,
            pacingClock: systemClock,
          },
          input,
        );
        // Keys that could not be read (throttled, denied) leave the pair's answer partial.
        const unread = found.unreadCount ?? found.skipped.filter((key) => key.error).length;
        const unreadErrors = [...new Set(found.skipped.flatMap((key) => key.error ?? []))].sort().join(', ');
        rows.push({
          accountId: pair.accountId,
          region: pair.region,
          status: unread > 0 ? 'PARTIAL' : 'OK',
          ...(unread > 0
            ? { error: `${unread} ${unread === 1 ? 'key' : 'keys'} could not be read (${unreadErrors})` }
            : {}),
          managedKeys: found.managedKeys,
          due: found.keys.length + found.deferred,
          reimported: undefined,
          failed: 0,
          soonestValidTo: (found.materialsSeen ?? [])
            .map((material) => material.validTo)
            .filter(Boolean)
            .sort()[0],
        });
      } catch (error) {
        rows.push({
          accountId: pair.accountId,
          region: pair.region,
          status: 'FAILED',
          managedKeys: 0,
          due: 0,
          reimported: undefined,
          failed: 0,
          soonestValidTo: undefined,
          ...errorFields(error),
        });
      }
    }
    const sorted = mostUrgentFirst(rows);
    if (options.output === 'json') process.stdout.write(`${terminalJson({ pairs: sorted }, 2)}\n`);
    else
      printTable(
        sorted,
        `${pairs.length} pairs read now through their spoke roles (hub ${context.hubAccountId}).`,
      );
    if (rows.some((row) => row.status !== 'OK')) process.exitCode = 1;
  } finally {
    context.close();
    bindings.close?.();
  }
}

export async function runFleetTargets(options: FleetTargetsOptions): Promise<void> {
  const pairs = pairsOfDocument(await targetsDocument(options), []);
  const context = await fleetContext(options);
  try {
    const results = await Promise.all(
      pairs.map(async (pair) => {
        try {
          await context.clients
            .forAccount(pair.accountId, pair.region)
            .send(new ListKeysCommand({ Limit: 1 }));
          return { accountId: pair.accountId, region: pair.region, status: 'OK' as const };
        } catch (raw) {
          const error = classifySpokeError(
            raw,
            pair.accountId,
            pair.region,
            context.clients.roleArnOf(pair.accountId),
          );
          return {
            accountId: pair.accountId,
            region: pair.region,
            status: 'FAILED' as const,
            ...errorFields(error),
          };
        }
      }),
    );
    if (options.output === 'json')
      process.stdout.write(`${terminalJson({ hubAccountId: context.hubAccountId, pairs: results }, 2)}\n`);
    else {
      const lines = [`${results.length} pairs checked from hub ${context.hubAccountId}:`, ''];
      for (const result of results) {
        lines.push(
          `${result.accountId.padEnd(14)}${result.region.padEnd(16)}${result.status === 'OK' ? 'OK' : `FAILED  ${cell(result.error)}`}`,
        );
        if (result.status === 'FAILED') {
          lines.push(`    ${cell(result.cause.slice(0, 300))}`);
          if (result.hint) lines.push(`    hint: ${cell(result.hint)}`);
        }
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    if (results.some((result) => result.status === 'FAILED')) process.exitCode = 1;
  } finally {
    context.close();
  }
}
