// A spoke's KMS event reaches the hub (the spoke template's forwarding rule, one hop) and the hub's
// reimport-on-expiration rule imports the expired material again in THAT account and Region,
// through the spoke role: the rule names the key by the event's ARN, not by a bare key id the hub
// would look up in its own account. A local fleet of 2 accounts × 1 Region, the real token, the
// real import ASL, the local stack over HTTP.
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FleetWorld, startFleetWorld } from '../../../src/onprem/simulation/fleet-world.ts';

const DAY = 86_400_000;
let world: FleetWorld;
let spokeKey: string;

beforeAll(async () => {
  world = await startFleetWorld({ accounts: 2, regions: ['eu-west-1'], disabledRules: [] });
  // No fleet sweep: only the expiration event can save the key.
  await world.events.bus.handle(
    'DisableRule',
    { Name: 'byok-reimport-fleet' },
    { region: '', accountId: '', requestId: 't' },
  );
  spokeKey = await world.createFleetKey({
    accountId: world.accountIds[1] as string,
    region: 'eu-west-1',
    keySpec: 'SYMMETRIC_DEFAULT',
    validForDays: 2,
    hsmKeyLabel: 'spoke-expiring',
  });
  const imported = await world.importFleetKey(spokeKey);
  if (imported.status !== 'SUCCEEDED') throw new Error(`initial import failed: ${imported.cause}`);
}, 60_000);

afterAll(async () => {
  await world?.stop();
});

describe("a spoke's expiration event on the hub", () => {
  it('is forwarded to the hub bus and reimports the key in its own account through the spoke role', async () => {
    // Prepare
    const spoke = world.accountIds[1] as string;
    const kms = world.adminKms(spoke, 'eu-west-1');
    const validTo = (await kms.send(new DescribeKeyCommand({ KeyId: spokeKey }))).KeyMetadata
      ?.ValidTo as Date;

    // Act: past ValidTo; the spoke's KMS deletes the material and says so.
    await world.clock.advance(2 * DAY + 60_000);
    await world.events.bus.idle();

    // Assess: the hub's bus got the spoke's event, as the spoke's KMS sent it.
    const log = world.events.bus.log({ source: 'aws.kms' });
    expect(log.events).toEqual([
      expect.objectContaining({
        'detail-type': 'KMS Imported Key Material Expiration',
        account: spoke,
        region: 'eu-west-1',
        resources: [spokeKey],
      }),
    ]);
    const reimport = log.deliveries.find((delivery) => delivery.ruleName === 'byok-reimport-on-expiration');
    expect(reimport).toMatchObject({ status: 'SUCCEEDED', input: { keyId: spokeKey } });
    const execution = world.history.list().find((record) => record.executionArn === reimport?.result);
    expect(execution).toMatchObject({ stateMachine: 'import-key-material', status: 'SUCCEEDED' });
    // The key is back in the spoke account, with a new ValidTo.
    const restored = (await kms.send(new DescribeKeyCommand({ KeyId: spokeKey }))).KeyMetadata;
    expect(restored?.KeyState).toBe('Enabled');
    expect(restored?.ValidTo?.getTime()).toBeGreaterThan(validTo.getTime() + DAY);
  }, 30_000);
});
