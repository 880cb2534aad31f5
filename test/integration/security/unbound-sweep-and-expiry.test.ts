// Issue 16 item 2: an unbound pairing is refused by the sweep and by the expiry rule too, with an
// alert. A second HMAC key tagged with payments' label is due (PendingImport): the sweep does not
// start an import for it and reports HsmKeyNotBoundError as a failure (its event fires the alert
// rule). Then an administrator removes the binding of a key whose material is about to expire:
// the expiry rule's import is refused in its first step and the key stays without material.
// Real NSS token, local KMS and EventBridge over HTTP, the real ASL.
import { CreateKeyCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalBindingsStore } from '../../../src/core/bindings/local-store.ts';
import {
  TAG_HSM_KEY_LABEL,
  TAG_MANAGED,
  TAG_MANAGED_VALUE,
  TAG_VALID_FOR_DAYS,
} from '../../../src/core/import/tags.ts';
import type { SweepReport } from '../../../src/core/sweep/contracts.ts';
import { type SweepWorld, startSweepWorld } from '../../../src/onprem/simulation/local-world.ts';

const DAY = 86_400_000;
let world: SweepWorld;
let paymentsKeyId: string;

beforeAll(async () => {
  world = await startSweepWorld({ tokenKind: 'nss', disabledRules: ['reimport-sweep'] });
  paymentsKeyId = await world.createManagedKey({
    keySpec: 'HMAC_256',
    validForDays: 30,
    hsmKeyLabel: 'payments',
  });
  const imported = await world.importKey(paymentsKeyId);
  if (imported.status !== 'SUCCEEDED') throw new Error(`initial import failed: ${imported.cause}`);
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('unbound pairings in the sweep and the expiry rule', () => {
  it('the sweep refuses a due key tagged with a label bound elsewhere, as a failure with HsmKeyNotBoundError', async () => {
    // Prepare: someone tags their own HMAC key with payments' label.
    const clone = await world.deps.kms.send(
      new CreateKeyCommand({
        Origin: 'EXTERNAL',
        KeySpec: 'HMAC_256',
        KeyUsage: 'GENERATE_VERIFY_MAC',
        Tags: [
          { TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE },
          { TagKey: TAG_HSM_KEY_LABEL, TagValue: 'payments' },
          { TagKey: TAG_VALID_FOR_DAYS, TagValue: '30' },
        ],
      }),
    );
    const cloneKeyId = clone.KeyMetadata?.KeyId as string;

    // Act
    const sweep = await world.runSweep();

    // Assess
    expect(sweep.status, sweep.cause).toBe('SUCCEEDED');
    const report = sweep.output as SweepReport;
    expect(report).toMatchObject({ failed: 1, succeeded: 0 });
    expect(report.failures).toEqual([
      {
        keyId: cloneKeyId,
        error: 'HsmKeyNotBoundError',
        cause: expect.stringContaining('is bound to KMS key arn:aws:kms:'),
      },
    ]);
    // No import was even started for it.
    const children = world.history
      .list()
      .filter((record) => record.startedBy === `execution:${sweep.executionArn}`);
    expect(children).toEqual([]);
    const described = await world.deps.kms.send(new DescribeKeyCommand({ KeyId: cloneKeyId }));
    expect(described.KeyMetadata?.KeyState).toBe('PendingImport');
    // The report went out as the sweep's event with failed > 0: what the alert rule routes to the topic.
    expect(sweep.publishedEvents).toEqual([
      expect.objectContaining({
        detailType: 'byok Reimport Sweep Completed',
        detail: expect.objectContaining({ failed: 1 }),
      }),
    ]);
  }, 60_000);

  it('the expiry rule cannot restore material once an administrator removed the binding', async () => {
    // Prepare
    const described = await world.deps.kms.send(new DescribeKeyCommand({ KeyId: paymentsKeyId }));
    const keyArn = described.KeyMetadata?.Arn as string;
    const removed = await new LocalBindingsStore(world.stack.url).remove('payments', keyArn);
    expect(removed).toEqual({ removed: true });

    // Act: past ValidTo, with no sweep.
    await world.clock.advance(31 * DAY);

    // Assess: KMS deleted the material, the rule started the import, its first step refused it.
    const log = world.events.bus.log({ source: 'aws.kms' });
    const reimport = log.deliveries.find((delivery) => delivery.ruleName === 'byok-reimport-on-expiration');
    expect(reimport).toMatchObject({
      status: 'FAILED',
      error: expect.stringContaining('HsmKeyNotBoundError'),
    });
    const execution = world.history
      .list()
      .find((record) => record.startedBy === 'rule:byok-reimport-on-expiration');
    expect(execution).toMatchObject({ stateMachine: 'import-key-material', status: 'FAILED' });
    const failed = world.events.bus
      .log({ source: 'byok' })
      .events.filter((event) => event['detail-type'] === 'byok Key Material Import Failed');
    expect(failed).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ error: 'HsmKeyNotBoundError' }) }),
    ]);
    const after = await world.deps.kms.send(new DescribeKeyCommand({ KeyId: paymentsKeyId }));
    expect(after.KeyMetadata?.KeyState).toBe('PendingImport');
  }, 60_000);
});
