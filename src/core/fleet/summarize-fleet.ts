// reimport-fleet's last step: one report for the estate. Reads back what the Distributed Map wrote
// (its ResultWriter manifest and result files in the fleet bucket; found under the run's results
// prefix when the Map itself failed), names every pair that failed with its error and hint, every
// key that failed inside a pair, every pair that never ran, and every material within `alarmDays`
// of its ValidTo that this run did not reimport. Writes report.json, report.csv and report.html
// next to the run's targets and returns the summary the fleet event carries.
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Clock } from '../clock.ts';
import { DAY_MS } from '../sweep/contracts.ts';
import {
  type AtRiskMaterial,
  type FleetMaterial,
  type FleetPair,
  type FleetPairReport,
  type FleetReport,
  type FleetSummary,
  MAX_LISTED_FAILURES,
  type SummarizeFleetInput,
} from './contracts.ts';
import { FleetResultsError } from './errors.ts';
import { hintForPairError } from './failures.ts';
import { reportCsv, reportHtml } from './report-formats.ts';

export interface SummarizeFleetDeps {
  s3: S3Client;
  clock: Clock;
}

interface ChildResult {
  Input?: string;
  Output?: string;
  Error?: string;
  Cause?: string;
  Status?: string;
  ExecutionArn?: string;
}

interface PairOutput {
  accountId?: string;
  region?: string;
  executionArn?: string;
  report?: {
    managedKeys?: number;
    due?: number;
    succeeded?: number;
    failed?: number;
    unread?: number;
    outcomeReason?: string;
    failures?: { keyId: string; error: string; cause: string }[];
    materials?: FleetMaterial[];
  };
}

export async function summarizeFleet(
  deps: SummarizeFleetDeps,
  input: SummarizeFleetInput,
): Promise<FleetSummary> {
  const { targets } = input;
  const pairs = await readJson<FleetPair[]>(deps.s3, targets.bucket, targets.itemsKey);
  const results = await readResults(
    deps.s3,
    targets.bucket,
    targets.resultsPrefix,
    input.map?.ResultWriterDetails.Key,
  );
  const byPair = new Map<string, FleetPairReport>();
  for (const result of results) {
    const child = parseJson<{ pair?: { accountId?: string; region?: string } }>(result.Input);
    const accountId = child?.pair?.accountId;
    const region = child?.pair?.region;
    if (!accountId || !region) continue;
    byPair.set(`${accountId}/${region}`, pairReport(accountId, region, result));
  }
  const now = deps.clock.now();
  const reports = pairs.map(
    (pair) =>
      byPair.get(`${pair.accountId}/${pair.region}`) ?? {
        accountId: pair.accountId,
        region: pair.region,
        status: 'NOT_RUN' as const,
        error: input.mapError?.Error ?? 'States.Runtime',
        cause: input.mapError
          ? `the Map Run stopped before this pair ran (${input.mapError.Error})`
          : 'no result for this pair',
        hint: 'run the fleet again with {"retryFailedOf": "<this report>"} to sweep only what did not finish',
        managedKeys: 0,
        due: 0,
        reimported: 0,
        failed: 0,
        failures: [],
        materials: [],
      },
  );
  reports.sort(
    (a, b) =>
      urgency(b) - urgency(a) || a.accountId.localeCompare(b.accountId) || a.region.localeCompare(b.region),
  );
  const atRisk: AtRiskMaterial[] = reports.flatMap((pair) =>
    pair.materials.flatMap((material) => {
      if (material.reimported || !material.validTo) return [];
      const left = Date.parse(material.validTo) - now.getTime();
      if (left > targets.alarmDays * DAY_MS) return [];
      return [
        {
          accountId: pair.accountId,
          region: material.region,
          keyId: material.keyId,
          ...(material.keyMaterialId ? { keyMaterialId: material.keyMaterialId } : {}),
          validTo: material.validTo,
          daysLeft: Math.floor(left / DAY_MS),
        },
      ];
    }),
  );
  const totals = {
    pairs: reports.length,
    succeeded: reports.filter((pair) => pair.status === 'SUCCEEDED').length,
    failed: reports.filter((pair) => pair.status === 'FAILED').length,
    notRun: reports.filter((pair) => pair.status === 'NOT_RUN').length,
    managedKeys: sum(reports, 'managedKeys'),
    due: sum(reports, 'due'),
    reimported: sum(reports, 'reimported'),
    failedKeys: sum(reports, 'failed'),
    unreadKeys: reports.reduce((total, pair) => total + (pair.unread ?? 0), 0),
  };
  const report: FleetReport = {
    fleetId: targets.fleetId,
    checkedAt: targets.checkedAt,
    generatedAt: now.toISOString(),
    alarmDays: targets.alarmDays,
    totals,
    pairs: reports,
    atRisk,
    // A pair whose sweep could not read some keys SUCCEEDED but covered less than it should: alarm.
    alarm:
      totals.failed > 0 ||
      totals.notRun > 0 ||
      totals.failedKeys > 0 ||
      totals.unreadKeys > 0 ||
      atRisk.length > 0,
    ...(targets.narrowedBy?.length ? { narrowedBy: targets.narrowedBy } : {}),
  };
  const keys = {
    json: `${targets.reportPrefix}/report.json`,
    csv: `${targets.reportPrefix}/report.csv`,
    html: `${targets.reportPrefix}/report.html`,
  };
  await put(deps.s3, targets.bucket, keys.json, JSON.stringify(report, null, 2), 'application/json');
  await put(deps.s3, targets.bucket, keys.csv, reportCsv(report), 'text/csv; charset=utf-8');
  await put(deps.s3, targets.bucket, keys.html, reportHtml(report), 'text/html; charset=utf-8');
  return {
    fleetId: report.fleetId,
    checkedAt: report.checkedAt,
    totals,
    failures: reports
      .filter((pair) => pair.status !== 'SUCCEEDED')
      .slice(0, MAX_LISTED_FAILURES)
      .map((pair) => ({
        accountId: pair.accountId,
        region: pair.region,
        error: pair.error ?? 'Error',
        hint: pair.hint,
      })),
    failedKeys: reports
      .flatMap((pair) =>
        pair.failures.map((failure) => ({
          accountId: pair.accountId,
          region: pair.region,
          keyId: failure.keyId,
          error: failure.error,
        })),
      )
      .slice(0, MAX_LISTED_FAILURES),
    atRisk: atRisk.length,
    alarm: report.alarm,
    report: { bucket: targets.bucket, ...keys },
  };
}

function pairReport(accountId: string, region: string, result: ChildResult): FleetPairReport {
  const empty = { managedKeys: 0, due: 0, reimported: 0, failed: 0, failures: [], materials: [] };
  if (result.Status !== 'SUCCEEDED') {
    const error = result.Error ?? 'States.TaskFailed';
    return {
      accountId,
      region,
      status: 'FAILED',
      error,
      cause: (result.Cause ?? '').slice(0, 1024),
      hint: hintForPairError(error, accountId, region),
      executionArn: result.ExecutionArn,
      ...empty,
    };
  }
  const output = parseJson<PairOutput>(result.Output);
  const sweep = output?.report ?? {};
  return {
    accountId,
    region,
    status: 'SUCCEEDED',
    executionArn: output?.executionArn ?? result.ExecutionArn,
    managedKeys: sweep.managedKeys ?? 0,
    due: sweep.due ?? 0,
    reimported: sweep.succeeded ?? 0,
    failed: sweep.failed ?? 0,
    unread: sweep.unread ?? 0,
    ...(sweep.outcomeReason ? { outcomeReason: sweep.outcomeReason } : {}),
    failures: sweep.failures ?? [],
    materials: sweep.materials ?? [],
  };
}

/** Failed pairs first, then pairs with failed or unread keys, then by materials due. */
function urgency(pair: FleetPairReport): number {
  return (pair.status === 'SUCCEEDED' ? 0 : 1_000_000) + (pair.failed + (pair.unread ?? 0)) * 1000 + pair.due;
}

function sum(reports: FleetPairReport[], field: 'managedKeys' | 'due' | 'reimported' | 'failed'): number {
  return reports.reduce((total, pair) => total + pair[field], 0);
}

function parseJson<T>(text: string | undefined): T | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

async function readJson<T>(s3: S3Client, bucket: string, key: string): Promise<T> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse((await object.Body?.transformToString('utf8')) ?? '') as T;
  } catch (error) {
    throw new FleetResultsError(
      `s3://${bucket}/${key} cannot be read: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      { cause: error },
    );
  }
}

/** Every child result of the run's Map Run: from its manifest, or the newest manifest under the prefix. */
async function readResults(
  s3: S3Client,
  bucket: string,
  prefix: string,
  manifestKey: string | undefined,
): Promise<ChildResult[]> {
  let key = manifestKey;
  if (!key) {
    const listed = await s3
      .send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/` }))
      .catch((error: unknown) => {
        throw new FleetResultsError(`the results under s3://${bucket}/${prefix}/ cannot be listed`, {
          cause: error,
        });
      });
    const manifests = (listed.Contents ?? [])
      .filter((object) => object.Key?.endsWith('/manifest.json'))
      .sort((a, b) => (a.LastModified?.getTime() ?? 0) - (b.LastModified?.getTime() ?? 0));
    key = manifests.at(-1)?.Key;
    if (!key) return [];
  }
  const manifest = await readJson<{ ResultFiles?: Record<string, { Key: string }[]> }>(s3, bucket, key);
  const results: ChildResult[] = [];
  for (const files of Object.values(manifest.ResultFiles ?? {})) {
    for (const file of files) results.push(...(await readJson<ChildResult[]>(s3, bucket, file.Key)));
  }
  return results;
}

async function put(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string,
  contentType: string,
): Promise<void> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
  } catch (error) {
    throw new FleetResultsError(`the report s3://${bucket}/${key} cannot be written`, { cause: error });
  }
}
