// Red team, account principal (docs/security.md, "Account principals"): whoever may start
// reimport-fleet chooses its input. A run narrowed to the healthy accounts (`include`, `exclude`,
// an inline `targets` document, `retryFailedOf`, a later `alarmDays`, ...) wrote the newest report,
// and `byok fleet status` showed that one: all green, exit 0, while the scheduled run of the whole
// fleet had a pair whose keys were not all read. Now DiscoverFleetTargets records which input
// fields narrowed a run (`narrowedBy`, kept in its report), and `byok fleet status`/`report` show
// the newest run of the whole fleet and name the newer narrowed ones on stderr. On the local
// stack's S3 over HTTP with the real SDK client and the real CLI; the child results are written as
// the Distributed Map's ResultWriter writes them (test/integration/fleet/partial-pair.test.ts).
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/core/aws/clients.ts';
import { DEFAULT_FLEET_SETTINGS, type FleetConfig } from '../../../src/core/fleet/config.ts';
import type { DiscoveredTargets, FleetReport } from '../../../src/core/fleet/contracts.ts';
import { discoverTargets } from '../../../src/core/fleet/discover-targets.ts';
import { summarizeFleet } from '../../../src/core/fleet/summarize-fleet.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { runByok as byok } from '../../helpers/byok-process.ts';

const BUCKET = 'byok-fleet-narrowed';
const HEALTHY = '111122223333';
const THROTTLED = '444455556666';

let stack: LocalStack;
let s3: S3Client;

async function put(key: string, value: unknown): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(value) }));
}

const config: FleetConfig = {
  ...DEFAULT_FLEET_SETTINGS,
  bucket: BUCKET,
  source: 'targets',
  targetsKey: 'fleet/targets.json',
  regions: ['us-east-1'],
  include: [],
  exclude: [],
  spokeRoleName: 'byok-spoke',
  externalId: undefined,
};

/**
 * One fleet run as reimport-fleet makes it: DiscoverFleetTargets with `input`, each pair's child
 * result as the Map writes it (the throttled account's sweep could not read 3 keys), SummarizeFleet.
 */
async function fleetRun(input: Record<string, unknown>): Promise<DiscoveredTargets> {
  const targets = await discoverTargets({ s3, clock: stack.clock, config }, input);
  const pairs = [HEALTHY, THROTTLED]
    .filter((accountId) => targets.pairs === 2 || accountId === HEALTHY)
    .map((accountId) => ({ accountId, region: 'us-east-1' }));
  const results = pairs.map(({ accountId, region }) => ({
    Status: 'SUCCEEDED',
    ExecutionArn: `arn:aws:states:us-east-1:${HEALTHY}:execution:sweep:${targets.fleetId}-${accountId}`,
    Input: JSON.stringify({ pair: { accountId, region } }),
    Output: JSON.stringify({
      accountId,
      region,
      report: {
        managedKeys: 5,
        due: 0,
        succeeded: 0,
        failed: 0,
        unread: accountId === THROTTLED ? 3 : 0,
        outcome: accountId === THROTTLED ? 'PARTIAL' : 'COMPLETE',
        ...(accountId === THROTTLED
          ? { outcomeReason: '3 keys could not be read (ThrottlingException)' }
          : {}),
        failures: [],
        materials: [],
      },
    }),
  }));
  const prefix = targets.resultsPrefix;
  await put(`${prefix}/run/SUCCEEDED_0.json`, results);
  await put(`${prefix}/run/manifest.json`, {
    ResultFiles: { SUCCEEDED: [{ Key: `${prefix}/run/SUCCEEDED_0.json` }] },
  });
  await summarizeFleet(
    { s3, clock: stack.clock },
    {
      targets,
      map: {
        MapRunArn: `arn:aws:states:us-east-1:${HEALTHY}:mapRun:fleet/${targets.fleetId}`,
        ResultWriterDetails: { Bucket: BUCKET, Key: `${prefix}/run/manifest.json` },
      },
    },
  );
  return targets;
}

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  s3 = createS3Client({ endpoint: stack.url });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await put('fleet/targets.json', { accounts: [HEALTHY, THROTTLED] });
});

afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

describe('a fleet run narrowed by its execution input', () => {
  it('is marked in its report and does not replace the whole fleet in byok fleet status', async () => {
    // Prepare: the scheduled run (input {}) finds the throttled account's keys not all read.
    const scheduled = await fleetRun({});
    await stack.clock.advance(2000);

    // Act: someone starts a run of the healthy account only.
    const narrowed = await fleetRun({ include: [HEALTHY], alarmDays: 1 });
    const status = await byok(['fleet', 'status', '--endpoint', stack.url, '--bucket', BUCKET]);
    const named = await byok([
      'fleet',
      'status',
      '--json',
      '--endpoint',
      stack.url,
      '--bucket',
      BUCKET,
      '--report',
      `${narrowed.reportPrefix}/report.json`,
    ]);

    // Assess: the scheduled run is the fleet's status (PARTIAL, exit 1); the narrowed one is named.
    expect(scheduled.narrowedBy).toBeUndefined();
    expect(narrowed.narrowedBy).toEqual(['include', 'alarmDays']);
    expect(status.code, status.stderr).toBe(1);
    expect(status.stdout).toContain(`Fleet run ${scheduled.fleetId}`);
    expect(status.stdout).toContain('PARTIAL');
    expect(status.stderr).toContain(
      `note: fleet run ${narrowed.fleetId} (checked ${narrowed.checkedAt}) was narrowed by its input (include, alarmDays)`,
    );
    const report = JSON.parse(named.stdout) as FleetReport;
    expect(report).toMatchObject({ fleetId: narrowed.fleetId, narrowedBy: ['include', 'alarmDays'] });
    expect(report.totals).toMatchObject({ pairs: 1, unreadKeys: 0 });
  }, 30_000);
});
