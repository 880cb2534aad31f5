// Issue 9 part 4: every Region of a multi-Region key stays imported. KMS never copies imported
// material to replicas, so `byok import` of a primary (the real CLI, a real NSS token, the local
// KMS endpoint over HTTP, the real ASL) imports the same HSM material into every replica with that
// Region's own GetParametersForImport; a replica created later is brought in by the next sweep;
// and 400 days of the deployed schedule keep every Region Enabled without one expiry.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  type KMSClient,
  ReplicateKeyCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult } from '../../../src/core/import/contracts.ts';
import type { SweepReport } from '../../../src/core/sweep/contracts.ts';
import { runExecution } from '../../../src/onprem/runner/run-execution.ts';
import { type SweepWorld, startSweepWorld } from '../../../src/onprem/simulation/local-world.ts';

const run = promisify(execFile);
const DAY = 86_400_000;
const HOME = 'us-east-1';
const REPLICAS = ['us-west-2', 'eu-west-1'];
const LATER = 'ap-southeast-2';

let world: SweepWorld;
let keyId: string;
const kms = (region: string): KMSClient => world.deps.kmsForRegion(region);

beforeAll(async () => {
  world = await startSweepWorld();
  keyId = await world.createManagedKey({
    keySpec: 'SYMMETRIC_DEFAULT',
    validForDays: 60,
    hsmKeyLabel: 'multi-region-aes',
    multiRegion: true,
  });
}, 60_000);

afterAll(async () => {
  await world?.stop();
});

/** `byok import --json` in another process, with the world's token in its BYOK_HOME. */
async function byokImport(id: string): Promise<{ status: string; output: ImportResult }> {
  const { stdout } = await run(
    'node',
    ['bin/byok.js', 'import', '--endpoint', world.stack.url, '--key-id', id, '--json'],
    { env: { ...process.env, BYOK_HOME: world.byokHome } },
  );
  return JSON.parse(stdout) as { status: string; output: ImportResult };
}

async function describeIn(region: string) {
  return (await kms(region).send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
}

describe('a multi-Region key imported from one HSM key', () => {
  it('byok import of the primary leaves the primary and both replicas Enabled with the same material', async () => {
    // Prepare: KMS replicates a primary only once it holds material; the replicas start without.
    expect((await byokImport(keyId)).status).toBe('SUCCEEDED');
    for (const region of REPLICAS) {
      await kms(HOME).send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: region }));
    }
    const before = await Promise.all(REPLICAS.map((region) => describeIn(region)));

    // Act
    const imported = await byokImport(keyId);

    // Assess
    expect(before.map((metadata) => metadata?.KeyState)).toEqual(['PendingImport', 'PendingImport']);
    expect(imported.status).toBe('SUCCEEDED');
    const primary = await describeIn(HOME);
    expect(primary?.MultiRegionConfiguration?.ReplicaKeys?.map((replica) => replica.Region).sort()).toEqual(
      [...REPLICAS].sort(),
    );
    expect(imported.output.replicas?.map((replica) => replica.region).sort()).toEqual([...REPLICAS].sort());
    const proof = new TextEncoder().encode('made in the primary Region');
    const ciphertext = (await kms(HOME).send(new EncryptCommand({ KeyId: keyId, Plaintext: proof })))
      .CiphertextBlob;
    for (const region of REPLICAS) {
      const replica = await describeIn(region);
      expect(replica?.KeyState).toBe('Enabled');
      expect(replica?.CurrentKeyMaterialId).toBe(primary?.CurrentKeyMaterialId);
      // Each Region has its own ValidTo, set by its own import.
      expect(replica?.ValidTo).toBeInstanceOf(Date);
      const decrypted = await kms(region).send(
        new DecryptCommand({ KeyId: keyId, CiphertextBlob: ciphertext }),
      );
      expect(new TextDecoder().decode(decrypted.Plaintext)).toBe('made in the primary Region');
      expect(decrypted.KeyMaterialId).toBe(primary?.CurrentKeyMaterialId);
      const evidence = imported.output.replicas?.find((entry) => entry.region === region)?.evidence;
      expect(
        evidence?.checks.find((check) => check.name === 'primary-ciphertext-decrypts-in-replica'),
      ).toMatchObject({ passed: true });
    }
  }, 90_000);

  it('imports an HMAC key into its replica too: the same MAC in both Regions', async () => {
    // Prepare
    const macKey = await world.createManagedKey({
      keySpec: 'HMAC_256',
      validForDays: 90,
      hsmKeyLabel: 'multi-region-mac',
      multiRegion: true,
    });
    expect((await world.importKey(macKey)).status).toBe('SUCCEEDED');
    await kms(HOME).send(new ReplicateKeyCommand({ KeyId: macKey, ReplicaRegion: 'us-west-2' }));

    // Act: the workflow again, now that the key has a replica.
    const result = await runExecution({
      stateMachine: 'import-key-material',
      input: { keyId: macKey },
      deps: world.deps,
    });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const mac = async (region: string) =>
      Buffer.from(
        (
          await kms(region).send(
            new GenerateMacCommand({
              KeyId: macKey,
              Message: Buffer.from('same?'),
              MacAlgorithm: 'HMAC_SHA_256',
            }),
          )
        ).Mac ?? [],
      ).toString('hex');
    expect(await mac('us-west-2')).toBe(await mac(HOME));
    const replicaChecks = (result.output as ImportResult).replicas?.[0]?.evidence.checks ?? [];
    expect(replicaChecks.map((check) => [check.name, check.passed])).toContainEqual([
      'mac-matches-hsm',
      true,
    ]);
  }, 60_000);

  it('brings a replica created later in at the next sweep, in its own Region only', async () => {
    // Prepare
    await kms(HOME).send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: LATER }));
    const before = await describeIn(LATER);

    // Act
    const sweep = await world.runSweep();

    // Assess
    expect(before?.KeyState).toBe('PendingImport');
    expect(sweep.status).toBe('SUCCEEDED');
    expect(sweep.output as SweepReport).toMatchObject({ failed: 0, reimported: [keyId] });
    const children = world.history
      .list()
      .filter((record) => record.startedBy === `execution:${sweep.executionArn}`);
    expect(children.map((child) => (child.input as { keyId: string }).keyId)).toEqual([
      `arn:aws:kms:${LATER}:${world.stack.accountId}:key/${keyId}`,
    ]);
    const later = await describeIn(LATER);
    expect(later?.KeyState).toBe('Enabled');
    expect(later?.CurrentKeyMaterialId).toBe((await describeIn(HOME))?.CurrentKeyMaterialId);
  }, 60_000);

  it('keeps every Region Enabled through 400 days of the deployed schedule, with no expiry', async () => {
    // Prepare
    const regions = [HOME, ...REPLICAS, LATER];
    const states: string[] = [];

    // Act: the daily sweep (deploy/event-rules.json) fires at its own instants as the clock moves.
    for (let day = 0; day < 400; day += 10) {
      await world.clock.advance(10 * DAY);
      for (const region of regions) states.push(`${region}:${(await describeIn(region))?.KeyState}`);
    }

    // Assess
    expect(states.filter((state) => !state.endsWith(':Enabled'))).toEqual([]);
    const expirations = world.events.bus.log({
      source: 'aws.kms',
      detailType: 'KMS Imported Key Material Expiration',
    });
    expect(expirations.events).toEqual([]);
    const sweepChildren = world.history
      .list()
      .filter(
        (record) =>
          record.stateMachine === 'import-key-material' && record.startedBy.startsWith('execution:'),
      );
    expect(sweepChildren.every((child) => child.status === 'SUCCEEDED')).toBe(true);
    // 60-day material, reimported 14 days ahead: about every 46 days in each of the 4 Regions.
    const symmetricChildren = sweepChildren.filter((child) =>
      (child.input as { keyId: string }).keyId.endsWith(keyId),
    );
    for (const region of regions) {
      const inRegion = symmetricChildren.filter((child) =>
        (child.input as { keyId: string }).keyId.includes(`:${region}:`),
      );
      expect(inRegion.length).toBeGreaterThanOrEqual(8);
    }
  }, 600_000);
});
