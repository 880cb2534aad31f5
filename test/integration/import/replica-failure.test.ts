// Issue 17: a failure inside the replica Map (ImportIntoReplicas) reaches PublishFailed with its own
// error name and the failure event names the key, instead of States.Runtime
// ('$.failureEventInput.keyId' does not point to a value).
import { ReplicateKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExecution } from '../../../src/onprem/runner/run-execution.ts';
import { type SweepWorld, startSweepWorld } from '../../../src/onprem/simulation/local-world.ts';

let world: SweepWorld;

beforeAll(async () => {
  world = await startSweepWorld();
}, 60_000);

afterAll(async () => {
  await world?.stop();
});

describe('a replica Region that cannot be imported', () => {
  it('fails the import under that error name, with the failure event for the key', async () => {
    // Prepare: a primary with material and a replica pending deletion (not importable)
    const keyId = await world.createManagedKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      validForDays: 60,
      hsmKeyLabel: 'replica-failure-aes',
      multiRegion: true,
    });
    expect((await world.importKey(keyId)).status).toBe('SUCCEEDED');
    await world.deps
      .kmsForRegion('us-east-1')
      .send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'us-west-2' }));
    await world.deps
      .kmsForRegion('us-west-2')
      .send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));

    // Act
    const result = await runExecution({
      stateMachine: 'import-key-material',
      input: { keyId },
      deps: world.deps,
    });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('KeyPendingDeletionError');
    expect(result.cause).not.toContain('States.Runtime');
    const failed = result.publishedEvents.find(
      (event) => event.detailType === 'byok Key Material Import Failed',
    );
    expect(failed?.detail).toMatchObject({
      input: { keyId },
      error: 'KeyPendingDeletionError',
    });
  }, 90_000);
});
