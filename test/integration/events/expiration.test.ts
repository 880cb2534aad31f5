// Acceptance 3: the expiration-event rule. With the sweep's schedule disabled, a key's material is
// let expire on purpose; the local KMS deletes it and emits "KMS Imported Key Material Expiration";
// the rule from deploy/event-rules.json starts the import workflow for that key at once, which
// restores the same material (old ciphertext decrypts again); the alert rule delivers the event to
// the alert topic. Real NSS token, real local KMS and EventBridge over HTTP, the real ASL.
import { randomBytes } from 'node:crypto';
import { DecryptCommand, DescribeKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SweepWorld, startSweepWorld } from '../../../src/onprem/simulation/local-world.ts';
import { expectNoSecret } from '../../helpers/secret-scan.ts';

const DAY = 86_400_000;
let world: SweepWorld;
let keyId: string;

beforeAll(async () => {
  world = await startSweepWorld({ tokenKind: 'nss', disabledRules: ['reimport-sweep'] });
  keyId = await world.createManagedKey({
    keySpec: 'SYMMETRIC_DEFAULT',
    validForDays: 2,
    hsmKeyLabel: 'expiring',
  });
  const imported = await world.importKey(keyId);
  if (imported.status !== 'SUCCEEDED') throw new Error(`initial import failed: ${imported.cause}`);
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('KMS Imported Key Material Expiration rule', () => {
  it('reimports the expired key at once and publishes the alert', async () => {
    // Prepare
    const { kms } = world.deps;
    const ciphertext = (
      await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('payroll') }))
    ).CiphertextBlob;
    const validTo = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.ValidTo as Date;

    // Act: past ValidTo, with no sweep to save the key.
    await world.clock.advance(2 * DAY + 60_000);

    // Assess: KMS really deleted the material and said so.
    const log = world.events.bus.log({ source: 'aws.kms' });
    expect(log.events).toEqual([
      expect.objectContaining({
        'detail-type': 'KMS Imported Key Material Expiration',
        detail: expect.objectContaining({ 'key-id': keyId }),
        time: `${validTo.toISOString().slice(0, 19)}Z`,
      }),
    ]);
    // The reimport rule started the import workflow with the key (its ARN) from the event.
    const reimport = log.deliveries.find((delivery) => delivery.ruleName === 'byok-reimport-on-expiration');
    expect(reimport).toMatchObject({
      status: 'SUCCEEDED',
      input: {
        keyId: expect.stringMatching(new RegExp(`^arn:aws:kms:${world.stack.region}:\\d{12}:key/${keyId}$`)),
        importReplicas: false,
        reason: expect.stringContaining('Expiration'),
      },
    });
    const execution = world.history.list().find((record) => record.executionArn === reimport?.result);
    expect(execution).toMatchObject({ stateMachine: 'import-key-material', status: 'SUCCEEDED' });
    expect(execution?.startedBy).toBe('rule:byok-reimport-on-expiration');
    // The alert went to the alert topic.
    const alert = log.deliveries.find((delivery) => delivery.ruleName === 'byok-alert-on-expiration');
    expect(alert).toMatchObject({
      status: 'SUCCEEDED',
      targetArn: world.events.targetArns.AlertTopic,
      input: expect.objectContaining({ detail: expect.objectContaining({ 'key-id': keyId }) }),
    });
    // The key is back, with a new ValidTo, and decrypts what it encrypted before it expired.
    const restored = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    expect(restored?.KeyState).toBe('Enabled');
    expect(restored?.ValidTo?.getTime()).toBeGreaterThan(validTo.getTime() + DAY);
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }));
    expect(Buffer.from(decrypted.Plaintext ?? []).toString()).toBe('payroll');
    // No sweep ran: the schedule was disabled.
    expect(world.history.list().filter((record) => record.stateMachine === 'reimport-expiring-keys')).toEqual(
      [],
    );
  }, 60_000);

  it('never lets known key material into a payload, event, delivery or report of either path', async () => {
    // Prepare: material known to the test, loaded into the token as a customer migrating would.
    const material = randomBytes(32);
    await world.hsm.importKey({ label: 'known-material', type: 'AES_256', material });
    const known = await world.createManagedKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      validForDays: 4,
      hsmKeyLabel: 'known-material',
      createHsmKey: false,
    });
    expect((await world.importKey(known)).status).toBe('SUCCEEDED');

    // Act: expire it (the event path), then sweep it once it is due again (the sweep path).
    await world.clock.advance(4 * DAY + 60_000);
    await world.clock.advance(2 * DAY + 60_000);
    const sweep = await world.runSweep();

    // Assess
    expect(sweep.output).toMatchObject({ reimported: expect.arrayContaining([known]), failed: 0 });
    const expiredAndRestored = world.events.bus
      .log({ source: 'aws.kms' })
      .events.some((event) => event.detail['key-id'] === known);
    expect(expiredAndRestored).toBe(true);
    expectNoSecret(JSON.stringify(world.events.bus.log()), material, 'bus events and deliveries');
    expectNoSecret(JSON.stringify(world.history.list()), material, 'execution inputs, outputs and causes');
    expectNoSecret(JSON.stringify(sweep.events), material, 'the sweep execution history');
  }, 60_000);
});
