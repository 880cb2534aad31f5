// Issue 9 acceptance 2: a rejection, a timeout (the virtual clock past the deadline) and a failure
// after the new material was imported but before RotateKeyOnDemand leave nothing permanent in KMS
// (the pending material deleted by its KeyMaterialId), destroy the HSM key made for the rotation,
// close the request, and publish an event naming the outcome. Real HTTP, real token, real ASL.
import { DescribeKeyCommand, ListKeyRotationsCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HsmKeyNotFoundError } from '../../../src/core/hsm/errors.ts';
import { arnOf, type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';

let world: RotationWorld;

beforeAll(async () => {
  world = await startRotationWorld();
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

async function materialsOf(keyId: string) {
  const rotations = (
    await world.kms.send(
      new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    )
  ).Rotations;
  return (rotations ?? []).map((entry) => ({ id: entry.KeyMaterialId, state: entry.KeyMaterialState }));
}

async function currentMaterial(keyId: string) {
  return (await world.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.CurrentKeyMaterialId;
}

function abandonedEvent(requestId: string) {
  return world.stack.events.bus
    .log({ source: 'byok' })
    .events.find(
      (event) =>
        event['detail-type'] === 'byok Key Material Rotation Abandoned' &&
        (event.detail as { requestId?: string }).requestId === requestId,
    )?.detail;
}

async function hsmKeyGone(label: string): Promise<boolean> {
  try {
    await world.token.hsm?.describeKey(label);
    return false;
  } catch (error) {
    return error instanceof HsmKeyNotFoundError;
  }
}

describe('a rotation that does not happen', () => {
  it('on a rejection: the key is unchanged, the HSM key destroyed, the event says REJECTED', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'rejected-key' });
    const before = await materialsOf(keyId);
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    const pending = await world.waitForStatus(request.requestId, 'PENDING');

    // Act
    const vote = await world.as('carol').vote(request.requestId, { decision: 'reject', reason: 'not now' });
    const execution = await world.waitForExecution(request.executionArn as string);

    // Assess
    expect(vote.outcome).toBe('rejected');
    expect(execution).toMatchObject({ status: 'FAILED', error: 'ApprovalRejectedError' });
    expect(await materialsOf(keyId)).toEqual(before);
    expect(await hsmKeyGone(pending.newMaterialHsmKey as string)).toBe(true);
    expect(abandonedEvent(request.requestId)).toMatchObject({
      outcome: 'REJECTED',
      error: 'ApprovalRejectedError',
      keyId: request.keyArn,
      hsmKeyLabel: pending.newMaterialHsmKey,
    });
    expect((abandonedEvent(request.requestId) as { cause: string }).cause).toContain(arnOf('carol'));
  }, 120_000);

  it('on a timeout: past the deadline on the virtual clock the request is EXPIRED and nothing changed', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'expiring-key' });
    const before = await materialsOf(keyId);
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    const pending = await world.waitForStatus(request.requestId, 'PENDING');

    // Act
    await world.stack.clock.advance(73 * 3_600_000);
    const execution = await world.waitForExecution(request.executionArn as string);
    const late = await world
      .as('dave')
      .vote(request.requestId, { decision: 'approve', reason: 'too late' })
      .then(
        () => undefined,
        (error: { code?: string }) => error.code,
      );

    // Assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(await materialsOf(keyId)).toEqual(before);
    expect(await hsmKeyGone(pending.newMaterialHsmKey as string)).toBe(true);
    expect((await world.waitForStatus(request.requestId, 'EXPIRED')).status).toBe('EXPIRED');
    expect(late).toBe('RequestEndedError');
    expect(abandonedEvent(request.requestId)).toMatchObject({ outcome: 'EXPIRED', error: 'States.Timeout' });
  }, 120_000);

  it('on a failure after the import: the pending material is deleted by its id, the key unchanged', async () => {
    // Prepare: RotateKeyOnDemand refuses (after the new material was imported as pending).
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'failing-key' });
    const before = await materialsOf(keyId);
    const current = await currentMaterial(keyId);
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'rotate' });
    const pending = await world.waitForStatus(request.requestId, 'PENDING');
    await fetch(`${world.stack.url}/_byok/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        faults: [{ operation: 'RotateKeyOnDemand', exception: 'KMSInvalidStateException', count: 1 }],
      }),
    });

    // Act
    await world.as('erin').vote(request.requestId, { decision: 'approve', reason: 'ok' });
    const execution = await world.waitForExecution(request.executionArn as string);
    await fetch(`${world.stack.url}/_byok/faults`, { method: 'DELETE' });

    // Assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'KMSInvalidStateException' });
    const event = abandonedEvent(request.requestId) as {
      deletedKeyMaterialId: string | null;
      outcome: string;
    };
    expect(event.outcome).toBe('FAILED');
    expect(event.deletedKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    expect(await materialsOf(keyId)).toEqual(before);
    expect(await currentMaterial(keyId)).toBe(current);
    expect(await hsmKeyGone(pending.newMaterialHsmKey as string)).toBe(true);
    // The approved request does not stay APPROVED: it records what came of it (issue 22).
    const closed = await world.waitForStatus(request.requestId, 'CANCELLED');
    expect(closed.outcome).toMatchObject({ outcome: 'FAILED', error: 'KMSInvalidStateException' });
  }, 120_000);
});
