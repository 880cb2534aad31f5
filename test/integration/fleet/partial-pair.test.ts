// A fleet pair whose sweep SUCCEEDED but could not read some keys (throttled, denied) covered less
// than it should: SummarizeFleet keeps its unread count and reason, counts them in totals.unreadKeys
// and raises the alarm, and `byok fleet status` shows the pair PARTIAL and exits 1. Before, the pair
// was SUCCEEDED with nothing unread in the report, no alarm, and the command exited 0. On the local
// stack's S3 over HTTP with the real SDK client and the real CLI; the child results are written as
// the Distributed Map's ResultWriter writes them (the full run: test/integration/fleet/isolation.test.ts).
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../src/core/aws/clients.ts';
import type { FleetReport, SummarizeFleetInput } from '../../../src/core/fleet/contracts.ts';
import { summarizeFleet } from '../../../src/core/fleet/summarize-fleet.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { runByok as byok } from '../../helpers/byok-process.ts';

const BUCKET = 'byok-fleet-partial';
const ACCOUNT = '111122223333';

let stack: LocalStack;
let s3: S3Client;

async function put(key: string, value: unknown): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(value) }));
}

/** One fleet run's items and child results in the bucket; its report written by SummarizeFleet. */
async function fleetRun(
  fleetId: string,
  unread: number,
  materials: { keyId: string; region: string; validTo: string; reimported: boolean }[] = [],
): Promise<FleetReport> {
  const prefix = `fleet/runs/${fleetId}`;
  const regions = ['us-east-1', 'eu-west-1'];
  await put(
    `${prefix}/items.json`,
    regions.map((region) => ({ accountId: ACCOUNT, region, sweepInput: {} })),
  );
  const results = regions.map((region, index) => ({
    Status: 'SUCCEEDED',
    ExecutionArn: `arn:aws:states:us-east-1:${ACCOUNT}:execution:sweep:${fleetId}-${region}`,
    Input: JSON.stringify({ pair: { accountId: ACCOUNT, region } }),
    Output: JSON.stringify({
      accountId: ACCOUNT,
      region,
      report: {
        managedKeys: 5,
        due: 0,
        succeeded: 0,
        failed: 0,
        // The second pair's sweep was throttled on some keys: its execution still SUCCEEDED.
        unread: index === 1 ? unread : 0,
        outcome: index === 1 && unread > 0 ? 'PARTIAL' : 'COMPLETE',
        ...(index === 1 && unread > 0
          ? { outcomeReason: `${unread} keys could not be read (ThrottlingException)` }
          : {}),
        failures: [],
        materials: index === 0 ? materials : [],
      },
    }),
  }));
  await put(`${prefix}/results/run/SUCCEEDED_0.json`, results);
  await put(`${prefix}/results/run/manifest.json`, {
    ResultFiles: { SUCCEEDED: [{ Key: `${prefix}/results/run/SUCCEEDED_0.json` }] },
  });
  const input: SummarizeFleetInput = {
    targets: {
      fleetId,
      checkedAt: stack.clock.now().toISOString(),
      bucket: BUCKET,
      itemsKey: `${prefix}/items.json`,
      resultsPrefix: `${prefix}/results`,
      reportPrefix: `${prefix}/report`,
      pairs: 2,
      accounts: 1,
      maxConcurrency: 2,
      toleratedFailurePercentage: 100,
      alarmDays: 7,
      excluded: [],
    },
    map: {
      MapRunArn: `arn:aws:states:us-east-1:${ACCOUNT}:mapRun:fleet/${fleetId}`,
      ResultWriterDetails: { Bucket: BUCKET, Key: `${prefix}/results/run/manifest.json` },
    },
  };
  await summarizeFleet({ s3, clock: stack.clock }, input);
  const status = await byok(['fleet', 'status', '--json', '--endpoint', stack.url, '--bucket', BUCKET]);
  return JSON.parse(status.stdout) as FleetReport;
}

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  s3 = createS3Client({ endpoint: stack.url });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

describe('a fleet with a material at risk', () => {
  it('raises the alarm and byok fleet status exits 1 (it printed ALARM and exited 0)', async () => {
    // Prepare: a material 3 days from its ValidTo that the run did not reimport (alarm days: 7).
    const validTo = new Date(stack.clock.now().getTime() + 3 * 86_400_000).toISOString();

    // Act
    const report = await fleetRun('20261231T030000Z', 0, [
      { keyId: 'k-at-risk', region: 'us-east-1', validTo, reimported: false },
    ]);
    const status = await byok(['fleet', 'status', '--endpoint', stack.url, '--bucket', BUCKET]);

    // Assess
    expect(report.atRisk).toEqual([expect.objectContaining({ keyId: 'k-at-risk', daysLeft: 2 })]);
    expect(report.alarm).toBe(true);
    expect(status.stdout).toContain('ALARM');
    expect(status.stdout).toContain('at risk: 111122223333 us-east-1 k-at-risk');
    expect(status.code, status.stderr).toBe(1);
  }, 30_000);
});

describe('a fleet pair whose sweep could not read every key', () => {
  it('a whole fleet: no alarm, byok fleet status exits 0', async () => {
    // Act
    const report = await fleetRun('20270101T030000Z', 0);
    const status = await byok(['fleet', 'status', '--endpoint', stack.url, '--bucket', BUCKET]);

    // Assess
    expect(report.totals.unreadKeys).toBe(0);
    expect(report.alarm).toBe(false);
    expect(status.code, status.stderr).toBe(0);
  }, 30_000);

  it('is counted and alarmed in the report, PARTIAL in byok fleet status, exit 1', async () => {
    // Act
    const report = await fleetRun('20270102T030000Z', 3);
    const status = await byok(['fleet', 'status', '--endpoint', stack.url, '--bucket', BUCKET]);

    // Assess
    expect(report.totals).toMatchObject({ pairs: 2, succeeded: 2, failed: 0, unreadKeys: 3 });
    expect(report.alarm).toBe(true);
    expect(report.pairs[0]).toMatchObject({
      region: 'eu-west-1',
      unread: 3,
      outcomeReason: '3 keys could not be read (ThrottlingException)',
    });
    expect(status.code, status.stderr).toBe(1);
    expect(status.stdout).toContain('3 keys not read; ALARM');
    expect(status.stdout).toMatch(
      /111122223333\s+eu-west-1\s+PARTIAL\s+.*3 keys could not be read \(ThrottlingException\)/,
    );
  }, 30_000);
});
