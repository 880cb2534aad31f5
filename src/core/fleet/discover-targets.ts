// reimport-fleet's first step: which (account, Region) pairs the fleet sweeps now. From the targets
// document the operator keeps (accounts × Regions, each account may name its own Regions and
// quota) or from Organizations' ACTIVE accounts × the configured Regions; then include/exclude; and
// with `retryFailedOf`, only the pairs that failed (or had failed or unread keys, or did not run) in that
// report. The pairs are written to the fleet bucket, where the Distributed Map's ItemReader reads
// them: a fleet of hundreds of accounts never travels in a state's payload.
import { randomBytes } from 'node:crypto';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listAccounts } from '../aws/paginate-organizations.ts';
import type { Clock } from '../clock.ts';
import { sweepIdFor } from '../sweep/find-expiring-keys.ts';
import type { FleetConfig } from './config.ts';
import {
  type DiscoveredTargets,
  FLEET_SCOPE_FIELDS,
  type FleetInput,
  type FleetPair,
  type FleetReport,
  type TargetsDocument,
  TargetsDocumentSchema,
} from './contracts.ts';
import { FleetConfigurationError, FleetResultsError, FleetTargetsError } from './errors.ts';

export interface DiscoverTargetsDeps {
  s3: S3Client;
  organizations?: OrganizationsClient | undefined;
  clock: Clock;
  config: FleetConfig;
}

export async function discoverTargets(
  deps: DiscoverTargetsDeps,
  input: FleetInput,
): Promise<DiscoveredTargets> {
  const { config } = deps;
  const now = deps.clock.now();
  // Two runs in the same second (a retry right after a run) still get their own ids and names.
  const fleetId = `${sweepIdFor(now)}-${randomBytes(2).toString('hex')}`;
  const source = input.source ?? (input.targets ? 'targets' : config.source);
  const regions = input.regions ?? config.regions;
  let pairs: { accountId: string; region: string; perSecond?: number | undefined }[];
  if (source === 'organizations') {
    if (regions.length === 0) {
      throw new FleetConfigurationError(
        'no Regions to sweep: the fleet reads accounts from Organizations and needs Regions',
        {
          hint: 'set the fleetRegions stack parameter (or "regions" in the execution input)',
        },
      );
    }
    const accounts = await listOrganizationAccounts(deps.organizations);
    pairs = accounts.flatMap((accountId) => regions.map((region) => ({ accountId, region })));
  } else {
    pairs = pairsOfDocument(await readTargetsDocument(deps, input), regions);
  }
  const include = new Set(input.include ?? config.include);
  const exclude = new Set(input.exclude ?? config.exclude);
  const excluded: string[] = [];
  pairs = pairs.filter((pair) => {
    const keep = (include.size === 0 || include.has(pair.accountId)) && !exclude.has(pair.accountId);
    if (!keep) excluded.push(`${pair.accountId}/${pair.region}`);
    return keep;
  });
  const seen = new Set<string>();
  pairs = pairs.filter((pair) => {
    const key = `${pair.accountId}/${pair.region}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (input.retryFailedOf) {
    const retry = await pairsToRetry(deps.s3, config.bucket, input.retryFailedOf);
    pairs = pairs.filter((pair) => retry.has(`${pair.accountId}/${pair.region}`));
  }
  const items: FleetPair[] = pairs.map((pair) => ({
    accountId: pair.accountId,
    region: pair.region,
    sweepInput: {
      ...(input.sweep ?? {}),
      ...(pair.perSecond !== undefined ? { getParametersForImportPerSecond: pair.perSecond } : {}),
      target: { accountId: pair.accountId, region: pair.region },
    },
  }));
  // Anyone who may start this workflow chooses its input: a run that covers less is marked.
  const narrowedBy = FLEET_SCOPE_FIELDS.filter((field) => input[field] !== undefined);
  const base = `fleet/runs/${fleetId}`;
  const itemsKey = `${base}/targets.json`;
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: config.bucket,
      Key: itemsKey,
      Body: JSON.stringify(items),
      ContentType: 'application/json',
    }),
  );
  return {
    fleetId,
    checkedAt: now.toISOString(),
    bucket: config.bucket,
    itemsKey,
    resultsPrefix: `${base}/results`,
    reportPrefix: `${base}/report`,
    pairs: items.length,
    accounts: new Set(items.map((item) => item.accountId)).size,
    maxConcurrency: input.maxConcurrency ?? config.maxConcurrency,
    toleratedFailurePercentage: input.toleratedFailurePercentage ?? config.toleratedFailurePercentage,
    alarmDays: input.alarmDays ?? config.alarmDays,
    excluded: excluded.slice(0, 100),
    ...(input.retryFailedOf ? { retryOf: input.retryFailedOf } : {}),
    ...(narrowedBy.length > 0 ? { narrowedBy } : {}),
  };
}

async function readTargetsDocument(deps: DiscoverTargetsDeps, input: FleetInput): Promise<TargetsDocument> {
  const given = input.targets;
  if (given && 'accounts' in given) return given;
  const bucket = (given && 'key' in given ? given.bucket : undefined) ?? deps.config.bucket;
  const key = (given && 'key' in given ? given.key : undefined) ?? deps.config.targetsKey;
  let text: string;
  try {
    const object = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    text = (await object.Body?.transformToString('utf8')) ?? '';
  } catch (error) {
    throw new FleetTargetsError(
      `the targets document s3://${bucket}/${key} cannot be read: ${describe(error)}`,
      {
        cause: error,
        hint: `write it with byok fleet targets --file <targets.json> --upload, or put it at s3://${bucket}/${key}`,
      },
    );
  }
  return parseTargetsDocument(text, `s3://${bucket}/${key}`);
}

export function parseTargetsDocument(text: string, where: string): TargetsDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FleetTargetsError(`${where} is not JSON`, { cause: error });
  }
  const result = TargetsDocumentSchema.safeParse(parsed);
  if (!result.success) {
    const issues = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(document)'}: ${issue.message}`,
    );
    throw new FleetTargetsError(`${where} is not a targets document: ${issues.join('; ')}`);
  }
  return result.data;
}

export function pairsOfDocument(
  document: TargetsDocument,
  defaultRegions: readonly string[],
): { accountId: string; region: string; perSecond?: number | undefined }[] {
  return document.accounts.flatMap((entry) => {
    const account = typeof entry === 'string' ? { accountId: entry } : entry;
    const regions = account.regions ?? document.regions ?? defaultRegions;
    if (regions.length === 0) {
      throw new FleetTargetsError(
        `account ${account.accountId} has no Regions (none in the document, none configured)`,
      );
    }
    const perSecond =
      'getParametersForImportPerSecond' in account ? account.getParametersForImportPerSecond : undefined;
    return regions.map((region) => ({ accountId: account.accountId, region, perSecond }));
  });
}

async function listOrganizationAccounts(organizations: OrganizationsClient | undefined): Promise<string[]> {
  if (!organizations)
    throw new FleetConfigurationError('no Organizations client: the fleet source is organizations');
  const accounts: string[] = [];
  for (const account of await listAccounts(organizations)) {
    if (account.Id && (account.State ?? account.Status) === 'ACTIVE') accounts.push(account.Id);
  }
  return accounts.sort();
}

/** The pairs a previous report did not finish cleanly: failed, not run, or with failed keys. */
async function pairsToRetry(s3: S3Client, bucket: string, key: string): Promise<Set<string>> {
  let report: FleetReport;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    report = JSON.parse((await object.Body?.transformToString('utf8')) ?? '') as FleetReport;
  } catch (error) {
    throw new FleetResultsError(
      `the report to retry, s3://${bucket}/${key}, cannot be read: ${describe(error)}`,
      {
        cause: error,
      },
    );
  }
  return new Set(
    (report.pairs ?? [])
      // A pair whose sweep could not read some keys did not cover them: retried too.
      .filter((pair) => pair.status !== 'SUCCEEDED' || pair.failed > 0 || (pair.unread ?? 0) > 0)
      .map((pair) => `${pair.accountId}/${pair.region}`),
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
