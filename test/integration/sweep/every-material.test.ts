// Issue 9 part 5: every material stays imported. After an on-demand rotation a key holds two
// materials from two HSM keys, each expiring on its own, and either one expiring takes the whole
// key down. The sweep (real ASL, real NSS token, local KMS over HTTP) must reimport each from the
// HSM key its KeyMaterialDescription records, as EXISTING_KEY_MATERIAL with its KeyMaterialId.
// The second material is made here with ImportKeyMaterial NEW_KEY_MATERIAL and RotateKeyOnDemand
// on the local KMS directly (the rotation workflow is another piece of work).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  DescribeKeyCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeHsmKey } from '../../../src/core/import/key-material-description.ts';
import { listKeyMaterials } from '../../../src/core/import/key-materials.ts';
import type { StatusReport } from '../../../src/core/sweep/status.ts';
import { type SweepWorld, startSweepWorld } from '../../../src/onprem/simulation/local-world.ts';
import { bindOnLocalStack } from '../../helpers/bindings.ts';

const run = promisify(execFile);
const DAY = 86_400_000;
const FIRST = 'every-material-first';
const SECOND = 'every-material-second';

let world: SweepWorld;
let keyId: string;
let firstId: string;
let secondId: string;

beforeAll(async () => {
  world = await startSweepWorld();
  keyId = await world.createManagedKey({
    keySpec: 'SYMMETRIC_DEFAULT',
    validForDays: 30,
    hsmKeyLabel: FIRST,
  });
  const imported = await world.importKey(keyId);
  firstId = (imported.output as { keyMaterialId: string }).keyMaterialId;

  // A second material from a second HSM key, imported as new material and rotated to; an
  // administrator bound that HSM key to the key too (the sweep reimports only bound pairings).
  await world.hsm.createKey({ label: SECOND, type: 'AES_256' });
  await bindOnLocalStack(world.stack.url, SECOND, (imported.output as { keyId: string }).keyId);
  const parameters = await world.deps.kms.send(
    new GetParametersForImportCommand({
      KeyId: keyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    }),
  );
  const { wrappedKeyMaterial } = await world.hsm.wrapKey({
    label: SECOND,
    algorithm: 'RSAES_OAEP_SHA_256',
    wrappingPublicKey: parameters.PublicKey ?? new Uint8Array(),
    expectedKeyType: 'AES_256',
  });
  const second = await world.deps.kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: parameters.ImportToken,
      EncryptedKeyMaterial: wrappedKeyMaterial,
      ImportType: 'NEW_KEY_MATERIAL',
      KeyMaterialDescription: describeHsmKey(SECOND),
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: new Date(world.clock.now().getTime() + 20 * DAY),
    }),
  );
  secondId = second.KeyMaterialId ?? '';
  await world.deps.kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
  await world.clock.advance(120_000);
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('a rotated key with two materials from two HSM keys', () => {
  it('byok status lists both materials with their HSM keys, states and ValidTo', async () => {
    // Act
    const { stdout } = await run('node', ['bin/byok.js', 'status', '--endpoint', world.stack.url, '--json']);
    const { stdout: table } = await run('node', ['bin/byok.js', 'status', '--endpoint', world.stack.url]);

    // Assess
    const report = JSON.parse(stdout) as StatusReport;
    const key = report.keys.find((entry) => entry.keyId === keyId);
    expect(
      key?.materials.map((material) => [
        material.keyMaterialId,
        material.hsmKeyLabel,
        material.state,
        material.region,
      ]),
    ).toEqual([
      [secondId, SECOND, 'CURRENT', 'us-east-1'],
      [firstId, FIRST, 'NON_CURRENT', 'us-east-1'],
    ]);
    expect(key?.materials.every((material) => material.validTo !== null)).toBe(true);
    // The material the import workflow brought in carries the HSM key's own check value (KCV); the
    // second, imported here by hand without one, carries none until the sweep reimports it.
    const kcvOf = async (label: string) => {
      const evidence = await world.hsm.evidence(label);
      return evidence.kind === 'aes-kcv' ? evidence.kcv.toLowerCase() : undefined;
    };
    expect(key?.materials.map((material) => material.checkValue)).toEqual([null, await kcvOf(FIRST)]);
    expect(table).toContain(`${FIRST} (kcv ${await kcvOf(FIRST)})`);
  });

  it('reimports each material from its own HSM key before it expires, for 120 days', async () => {
    // Prepare
    const states: string[] = [];

    // Act: the daily sweep of deploy/event-rules.json fires as the clock moves.
    for (let day = 0; day < 120; day += 5) {
      await world.clock.advance(5 * DAY);
      const metadata = (await world.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
      states.push(metadata?.KeyState ?? 'unknown');
    }

    // Assess
    expect(states.filter((state) => state !== 'Enabled')).toEqual([]);
    const expirations = world.events.bus.log({
      source: 'aws.kms',
      detailType: 'KMS Imported Key Material Expiration',
    });
    expect(expirations.events).toEqual([]);
    const reimports = world.history
      .list()
      .filter(
        (record) =>
          record.stateMachine === 'import-key-material' && record.startedBy.startsWith('execution:'),
      );
    expect(reimports.every((record) => record.status === 'SUCCEEDED')).toBe(true);
    const inputs = reimports.map((record) => record.input as { keyMaterialId?: string; hsmKeyLabel: string });
    const fromFirst = inputs.filter((input) => input.keyMaterialId === firstId);
    const fromSecond = inputs.filter((input) => input.keyMaterialId === secondId);
    // 30-day material reimported 14 days ahead: every ~16 days, so 7 or 8 times each in 120 days.
    expect(fromFirst.length).toBeGreaterThanOrEqual(6);
    expect(fromSecond.length).toBeGreaterThanOrEqual(6);
    expect(new Set(fromFirst.map((input) => input.hsmKeyLabel))).toEqual(new Set([FIRST]));
    expect(new Set(fromSecond.map((input) => input.hsmKeyLabel))).toEqual(new Set([SECOND]));
    expect(fromFirst.length + fromSecond.length).toBe(inputs.length);
    const materials = await listKeyMaterials(world.deps.kms, keyId);
    expect(
      materials.map((material) => [material.keyMaterialId, material.state, material.importState]),
    ).toEqual([
      [firstId, 'NON_CURRENT', 'IMPORTED'],
      [secondId, 'CURRENT', 'IMPORTED'],
    ]);
    const now = world.clock.now().getTime();
    for (const material of materials) {
      expect(material.validTo?.getTime()).toBeGreaterThan(now + 14 * DAY);
    }
    // The sweep's reimports recorded each material's own HSM key and its check value with it.
    const kcvOf = async (label: string) => {
      const evidence = await world.hsm.evidence(label);
      return evidence.kind === 'aes-kcv' ? evidence.kcv.toLowerCase() : undefined;
    };
    expect(materials.map((material) => [material.hsmKeyLabel, material.checkValue])).toEqual([
      [FIRST, await kcvOf(FIRST)],
      [SECOND, await kcvOf(SECOND)],
    ]);
  }, 600_000);
});
