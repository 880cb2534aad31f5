// Failure isolation in a local fleet of 3 accounts × 2 Regions, on the real ASL (reimport-fleet, the
// sweep, the import workflow), the real token and the local stack over HTTP: a spoke whose role
// was deleted and a Region that answers nothing fail their own pairs by name, every other pair is
// reimported, the report names both failures with their hints, the alarm rule fires, and a later
// run with retryFailedOf sweeps only what failed.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetSummary } from '../../../src/core/fleet/contracts.ts';
import { spokeTemplate } from '../../../src/core/fleet/spoke-template.ts';
import { type FleetWorld, startFleetWorld } from '../../../src/onprem/simulation/fleet-world.ts';

const DAY = 86_400_000;
const BIN = resolve(import.meta.dirname, '../../../bin/byok.js');
const run = promisify(execFile);

/** The CLI as a user runs it; a non-zero exit still gives its output. */
async function byok(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
let world: FleetWorld;
const keys: { accountId: string; region: string; arn: string; validTo: Date | undefined }[] = [];

async function validTo(arn: string): Promise<Date | undefined> {
  const [, , , region = '', accountId = ''] = arn.split(':');
  return (await world.adminKms(accountId, region).send(new DescribeKeyCommand({ KeyId: arn }))).KeyMetadata
    ?.ValidTo;
}

beforeAll(async () => {
  world = await startFleetWorld({ accounts: 3, regions: ['us-east-1', 'eu-west-1'], disabledRules: [] });
  // This test starts the fleet itself, at chosen instants.
  await world.events.bus.handle(
    'DisableRule',
    { Name: 'byok-reimport-fleet' },
    { region: '', accountId: '', requestId: 't' },
  );
  for (const accountId of world.accountIds) {
    for (const region of world.regions) {
      const label = `iso-${accountId}-${region}`;
      const arn = await world.createFleetKey({
        accountId,
        region,
        keySpec: 'SYMMETRIC_DEFAULT',
        validForDays: 30,
        hsmKeyLabel: label,
      });
      const imported = await world.importFleetKey(arn);
      expect(imported.status, `${imported.error}: ${imported.cause}`).toBe('SUCCEEDED');
      keys.push({ accountId, region, arn, validTo: await validTo(arn) });
    }
  }
  // 16 days on, every key is within its lead (min(14, 30 / 2) days) of ValidTo.
  await world.clock.advance(16 * DAY);
}, 240_000);

afterAll(async () => {
  await world?.stop();
});

describe('a fleet with a deleted spoke role and a Region that answers nothing', () => {
  let summary: FleetSummary;
  const deniedAccount = () => world.accountIds[1] as string;
  const silent = () => `${world.accountIds[2]}/eu-west-1`;

  it('completes every other pair and names both failures', async () => {
    // Prepare
    world.deleteSpokeRole(deniedAccount());
    world.stack.server.setUnreachableRegions([silent()]);

    // Act
    const run = await world.runFleet();

    // Assess
    expect(run.status, `${run.error}: ${run.cause}`).toBe('SUCCEEDED');
    summary = run.output as FleetSummary;
    expect(summary.totals).toMatchObject({ pairs: 6, succeeded: 3, failed: 3, notRun: 0, reimported: 3 });
    const failures = Object.fromEntries(
      summary.failures.map((failure) => [`${failure.accountId}/${failure.region}`, failure]),
    );
    for (const region of world.regions) {
      expect(failures[`${deniedAccount()}/${region}`]).toMatchObject({
        error: 'SpokeAccessDeniedError',
        hint: expect.stringContaining('byok fleet spoke-template'),
      });
    }
    expect(failures[silent()]).toMatchObject({
      error: 'RegionUnreachableError',
      hint: expect.stringContaining('eu-west-1'),
    });
    for (const key of keys) {
      const failed = key.accountId === deniedAccount() || `${key.accountId}/${key.region}` === silent();
      const now = await validTo(key.arn).catch(() => key.validTo);
      if (failed) expect(now).toEqual(key.validTo);
      else expect(now?.getTime()).toBeGreaterThan(key.validTo?.getTime() ?? 0);
    }
  }, 240_000);

  it('writes the report as JSON, CSV and HTML, naming each failure', async () => {
    // Act
    const report = await world.readReport(summary);

    // Assess
    const byPair = Object.fromEntries(report.pairs.map((pair) => [`${pair.accountId}/${pair.region}`, pair]));
    expect(byPair[silent()]).toMatchObject({ status: 'FAILED', error: 'RegionUnreachableError' });
    // The hub's session from the initial imports outlived the role: it may no longer do anything.
    expect(byPair[`${deniedAccount()}/us-east-1`]?.cause).toContain(
      `arn:aws:iam::${deniedAccount()}:role/byok-spoke`,
    );
    expect(report.pairs.slice(0, 3).every((pair) => pair.status === 'FAILED')).toBe(true);
    expect(report.alarm).toBe(true);
    const good = report.pairs.filter((pair) => pair.status === 'SUCCEEDED');
    expect(good.every((pair) => pair.materials.length === 1 && pair.materials[0]?.reimported === true)).toBe(
      true,
    );
    expect(world.stack.s3.list(summary.report.bucket)).toEqual(
      expect.arrayContaining([summary.report.json, summary.report.csv, summary.report.html]),
    );
  });

  it('byok fleet status and report name both failures with their hints, most urgent first', async () => {
    // Act
    const status = await byok(['fleet', 'status', '--endpoint', world.stack.url]);
    const csv = await byok(['fleet', 'report', '--format', 'csv', '--endpoint', world.stack.url]);
    const json = await byok(['fleet', 'status', '--json', '--endpoint', world.stack.url]);

    // Assess
    expect(status.code).toBe(1);
    const lines = status.stdout.split('\n');
    const firstPairLine = lines.findIndex((line) => /^\d{12}/.test(line));
    expect(lines[firstPairLine]).toContain('FAILED');
    expect(status.stdout).toContain('SpokeAccessDeniedError');
    expect(status.stdout).toContain('RegionUnreachableError');
    expect(status.stdout).toContain('hint: deploy the spoke template');
    expect(csv.stdout.split('\r\n')[0]).toBe(
      'account_id,region,pair_status,pair_error,managed_keys,due,reimported,failed,key_id,key_material_id,valid_to,material_reimported,key_error',
    );
    expect(csv.stdout).toContain(`${silent().replace('/', ',')},FAILED,RegionUnreachableError`);
    expect(JSON.parse(json.stdout).fleetId).toBe((await world.readReport(summary)).fleetId);
  }, 60_000);

  it('byok fleet targets names each pair that cannot be reached', async () => {
    // Act
    const checked = await byok(['fleet', 'targets', '--json', '--endpoint', world.stack.url], {
      BYOK_FLEET_EXTERNAL_ID: world.fleet.externalId,
    });

    // Assess
    expect(checked.code).toBe(1);
    const pairs = JSON.parse(checked.stdout).pairs as {
      accountId: string;
      region: string;
      status: string;
      error?: string;
    }[];
    const byPair = Object.fromEntries(pairs.map((pair) => [`${pair.accountId}/${pair.region}`, pair]));
    expect(pairs).toHaveLength(6);
    expect(byPair[`${deniedAccount()}/us-east-1`]).toMatchObject({
      status: 'FAILED',
      error: 'SpokeAccessDeniedError',
    });
    expect(byPair[silent()]).toMatchObject({ status: 'FAILED', error: 'RegionUnreachableError' });
    expect(byPair[`${world.hubAccountId}/us-east-1`]).toMatchObject({ status: 'OK' });
    expect(byPair[`${world.accountIds[2]}/us-east-1`]).toMatchObject({ status: 'OK' });
  }, 60_000);

  it('fires the alarm rule: the fleet event reaches the alert topic', async () => {
    // Act
    const log = world.events.bus.log({ detailType: 'byok Fleet Sweep Completed' });

    // Assess
    expect(log.deliveries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ruleName: 'byok-alert-on-fleet-alarm',
          targetId: 'AlertTopic',
          status: 'SUCCEEDED',
        }),
      ]),
    );
  });

  it('retries only the failed pairs in a later run', async () => {
    // Prepare: the role is back, the Region answers again
    world.stack.iam.deployTemplate(
      spokeTemplate({ hubAccountId: world.hubAccountId, regions: world.regions }),
      deniedAccount(),
      {
        region: 'us-east-1',
        parameters: { ExternalId: world.fleet.externalId as string },
      },
    );
    world.stack.server.setUnreachableRegions([]);

    // Act
    const run = await world.runFleet({ retryFailedOf: summary.report.json });

    // Assess
    expect(run.status, `${run.error}: ${run.cause}`).toBe('SUCCEEDED');
    const retried = run.output as FleetSummary;
    expect(retried.totals).toMatchObject({ pairs: 3, succeeded: 3, failed: 0, reimported: 3 });
    expect(retried.alarm).toBe(false);
    for (const key of keys)
      expect((await validTo(key.arn))?.getTime()).toBeGreaterThan(key.validTo?.getTime() ?? 0);
  }, 240_000);
});
