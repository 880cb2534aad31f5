// Acceptance 2 (second half): one key whose HSM key was deleted fails alone; the sweep reimports
// the others, reports the failure by name, and publishes it. Real SoftHSM2 token (its key really
// is deleted, with OpenSC's pkcs11-tool, while byok has the token open), real local KMS with AWS's
// default quotas, the real ASL. SoftHSM2 2.6 cannot wrap with SHA-256 OAEP, so these keys name
// RSAES_OAEP_SHA_1 in their byok:wrapping-algorithm tag.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHsmConfig } from '../../../src/core/hsm/config.ts';
import type { SweepReport } from '../../../src/core/sweep/contracts.ts';
import { type SweepWorld, startSweepWorld } from '../../../src/onprem/simulation/local-world.ts';

const run = promisify(execFile);
const DAY = 86_400_000;
let world: SweepWorld;
const keyIds: string[] = [];

async function deleteHsmKey(label: string): Promise<void> {
  const config = await loadHsmConfig(world.byokHome);
  const pin = (await readFile(config.pinFile as string, 'utf8')).trim();
  // `--pin env:NAME`: pkcs11-tool reads the PIN from its own environment (readable by this user
  // only), never from its command line (readable by every local user). It reads no PIN from a pipe.
  await run(
    '/usr/bin/pkcs11-tool',
    [
      '--module',
      config.library,
      '--token-label',
      config.tokenLabel,
      '--login',
      '--pin',
      'env:TEST_TOKEN_PIN',
    ].concat(['--delete-object', '--type', 'secrkey', '--label', label]),
    { env: { ...process.env, SOFTHSM2_CONF: config.softhsm2Conf, TEST_TOKEN_PIN: pin } },
  );
}

beforeAll(async () => {
  world = await startSweepWorld({ tokenKind: 'softhsm', disabledRules: ['reimport-sweep'] });
  for (let i = 0; i < 4; i++) {
    const keyId = await world.createManagedKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      validForDays: 30,
      hsmKeyLabel: `softhsm-${i}`,
      wrappingAlgorithm: 'RSAES_OAEP_SHA_1',
    });
    const imported = await world.importKey(keyId);
    if (imported.status !== 'SUCCEEDED') throw new Error(`initial import failed: ${imported.cause}`);
    keyIds.push(keyId);
  }
  await world.setQuotas('aws-default');
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('reimport sweep with a deleted HSM key', () => {
  it('fails that key alone, reimports the others and reports the failure', async () => {
    // Prepare
    await deleteHsmKey('softhsm-1');
    await world.clock.advance(16 * DAY);
    const doomed = keyIds[1] as string;

    // Act
    const sweep = await world.runSweep();

    // Assess
    const report = sweep.output as SweepReport;
    expect(sweep.status).toBe('SUCCEEDED');
    expect(report).toMatchObject({ due: 4, succeeded: 3, failed: 1 });
    expect([...report.reimported].sort()).toEqual(keyIds.filter((id) => id !== doomed).sort());
    expect(report.failures).toEqual([
      {
        keyId: doomed,
        error: 'HsmKeyNotFoundError',
        cause: expect.stringContaining('softhsm-1'),
      },
    ]);
    const children = world.history
      .list()
      .filter((record) => record.startedBy === `execution:${sweep.executionArn}`);
    // Each child imports one material of one Region's key, named by its ARN.
    const childKeyId = (child: { input: unknown }) =>
      (child.input as { keyId: string }).keyId.split('/').at(-1);
    expect(children.map((child) => [childKeyId(child), child.status]).sort()).toEqual(
      keyIds.map((id) => [id, id === doomed ? 'FAILED' : 'SUCCEEDED']).sort(),
    );
    expect(
      children.flatMap((child) => child.stateErrors).filter((name) => name === 'ThrottlingException'),
    ).toEqual([]);
    // The failed key keeps its material until its ValidTo: nothing was half-imported.
    const doomedKey = (await world.deps.kms.send(new DescribeKeyCommand({ KeyId: doomed }))).KeyMetadata;
    expect(doomedKey?.KeyState).toBe('Enabled');
    const published = world.events.bus.log({ source: 'byok', detailType: 'byok Reimport Sweep Completed' });
    expect(published.events.map((event) => event.detail)).toEqual([report]);
  }, 60_000);
});
