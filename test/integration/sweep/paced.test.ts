// Acceptance 2 (first half): with AWS's default KMS quotas enforced by the local endpoint
// (GetParametersForImport 1/s), the real sweep ASL reimports 30 due keys with zero failures and
// without a single throttled request: pacing, not retries. Real NSS token, real local KMS over
// HTTP, nested executions of the real import ASL.
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepReport } from '../../../src/core/sweep/contracts.ts';
import { type SweepWorld, startSweepWorld } from '../../../src/onprem/simulation/local-world.ts';

const DAY = 86_400_000;
const KEYS = 30;
let world: SweepWorld;
const keyIds: string[] = [];

beforeAll(async () => {
  world = await startSweepWorld({ tokenKind: 'nss', disabledRules: ['reimport-sweep'] });
  for (let i = 0; i < KEYS; i++) {
    const keyId = await world.createManagedKey({
      keySpec: i % 3 === 0 ? 'HMAC_256' : 'SYMMETRIC_DEFAULT',
      validForDays: 30,
      hsmKeyLabel: `paced-${i}`,
    });
    const imported = await world.importKey(keyId);
    if (imported.status !== 'SUCCEEDED') throw new Error(`initial import failed: ${imported.cause}`);
    keyIds.push(keyId);
  }
}, 180_000);

afterAll(async () => {
  await world?.stop();
});

describe('reimport sweep within AWS default quotas', () => {
  it('reimports 30 due keys with zero failures and zero throttled requests', async () => {
    // Prepare: 16 days on, every key has 14 days left: inside the lead window.
    await world.clock.advance(16 * DAY);
    await world.setQuotas('aws-default');
    const before = new Map<string, Date | undefined>();
    for (const keyId of keyIds) {
      before.set(
        keyId,
        (await world.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.ValidTo,
      );
    }

    // Act
    const started = Date.now();
    const sweep = await world.runSweep();
    const elapsedMs = Date.now() - started;

    // Assess
    const report = sweep.output as SweepReport;
    expect(sweep.status).toBe('SUCCEEDED');
    expect(report).toMatchObject({ due: KEYS, succeeded: KEYS, failed: 0, failures: [] });
    const children = world.history
      .list()
      .filter((record) => record.startedBy === `execution:${sweep.executionArn}`);
    expect(children).toHaveLength(KEYS);
    expect(children.every((child) => child.status === 'SUCCEEDED')).toBe(true);
    expect(children.flatMap((child) => child.stateErrors)).toEqual([]);
    // Each ValidTo moved on: the material really was imported again.
    for (const keyId of keyIds) {
      const after = (await world.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
      expect(after?.KeyState).toBe('Enabled');
      expect(after?.ValidTo?.getTime()).toBeGreaterThan((before.get(keyId)?.getTime() ?? 0) + 15 * DAY);
    }
    // 30 GetParametersForImport calls at 1/s cannot take less than 29 s; pacing keeps it near that.
    expect(elapsedMs).toBeGreaterThan(29_000);
    const report_event = world.events.bus.log({
      source: 'byok',
      detailType: 'byok Reimport Sweep Completed',
    }).events;
    expect(report_event.map((event) => event.detail)).toEqual([report]);
  }, 120_000);
});
