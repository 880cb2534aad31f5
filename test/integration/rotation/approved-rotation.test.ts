// Issue 9 acceptance 1, for real: the approvals API over HTTP (SigV4, local identity convention),
// the store on dynalite, the rotation ASL run by the runner through the local Step Functions API
// with a real task token, the new material generated inside a real NSS token, and the local KMS.
// With M=2 the requester's own approval is refused, a second vote by the same approver counts
// once, and a third identity completes it; the key then holds both materials, IMPORTED.
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  ListKeyRotationsCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApprovalsApiError } from '../../../src/core/approvals/client.ts';
import { describeHsmKey } from '../../../src/core/import/key-material-description.ts';
import { arnOf, type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';

let world: RotationWorld;

beforeAll(async () => {
  world = await startRotationWorld();
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

async function refusal(promise: Promise<unknown>): Promise<ApprovalsApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApprovalsApiError);
  return error as ApprovalsApiError;
}

describe('an approved rotation with M=2', () => {
  it('rotates in place after two distinct approvers other than the requester', async () => {
    // Prepare: a key whose first material came from the HSM, and a ciphertext made before.
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'orders', approvalsRequired: 2 });
    const before = (await world.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    const oldCiphertext = (
      await world.kms.send(
        new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('before the rotation') }),
      )
    ).CiphertextBlob;

    // Act: ask, wait for the material and the notification, vote.
    const { request } = await world.as('requester').requestRotation({ keyId, reason: 'yearly rotation' });
    const pending = await world.waitForStatus(request.requestId, 'PENDING');
    const selfApproval = await refusal(
      world.as('requester').vote(request.requestId, { decision: 'approve', reason: 'mine' }),
    );
    const first = await world.as('alice').vote(request.requestId, { decision: 'approve', reason: 'ok' });
    const again = await refusal(
      world.as('alice').vote(request.requestId, { decision: 'approve', reason: 'again' }),
    );
    const quorum = await world.as('bob').vote(request.requestId, { decision: 'approve', reason: 'ok too' });
    const execution = await world.waitForExecution(request.executionArn as string);

    // Assess: the votes.
    expect(request.requester).toBe(arnOf('requester'));
    expect(pending.checkValue).toMatch(/^[0-9a-f]{6}$/);
    expect(pending.newMaterialHsmKey).toMatch(/^orders-r2-/);
    expect(selfApproval.code).toBe('SelfApprovalError');
    expect(first.outcome).toBe('recorded');
    expect(again.code).toBe('DuplicateVoteError');
    expect(quorum.outcome).toBe('approved');
    expect(quorum.request.approvals).toBe(2);

    // Assess: the rotation.
    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    const output = JSON.parse(execution.output ?? '{}');
    expect(output.approvers).toEqual([arnOf('alice'), arnOf('bob')]);
    const after = (await world.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    expect(after?.CurrentKeyMaterialId).toBe(output.newKeyMaterialId);
    expect(after?.CurrentKeyMaterialId).not.toBe(before?.CurrentKeyMaterialId);
    expect(after?.Arn).toBe(before?.Arn);
    const oldDecrypt = await world.kms.send(
      new DecryptCommand({ KeyId: keyId, CiphertextBlob: oldCiphertext }),
    );
    expect(oldDecrypt.KeyMaterialId).toBe(before?.CurrentKeyMaterialId);
    expect(Buffer.from(oldDecrypt.Plaintext ?? []).toString()).toBe('before the rotation');
    const fresh = await world.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('after') }));
    const newDecrypt = await world.kms.send(
      new DecryptCommand({ KeyId: keyId, CiphertextBlob: fresh.CiphertextBlob }),
    );
    expect(newDecrypt.KeyMaterialId).toBe(after?.CurrentKeyMaterialId);
    const materials = (
      await world.kms.send(
        new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
      )
    ).Rotations;
    expect(
      materials?.map((entry) => [entry.KeyMaterialId, entry.ImportState, entry.KeyMaterialState]),
    ).toEqual(
      expect.arrayContaining([
        [before?.CurrentKeyMaterialId, 'IMPORTED', 'NON_CURRENT'],
        [after?.CurrentKeyMaterialId, 'IMPORTED', 'CURRENT'],
      ]),
    );
    const described = materials?.find((entry) => entry.KeyMaterialId === after?.CurrentKeyMaterialId);
    // It names the new HSM key and the check value the approvers confirmed.
    expect(described?.KeyMaterialDescription).toBe(
      describeHsmKey(pending.newMaterialHsmKey ?? '', pending.checkValue ?? ''),
    );
    expect(described?.KeyMaterialDescription).toMatch(/^byok:kcv:[0-9a-f]{6}:hsm-key:/);

    // Assess: the events name who asked and the evidence, never the task token.
    const events = world.stack.events.bus.log({ source: 'byok' }).events;
    const requested = events.find(
      (event) => event['detail-type'] === 'byok Key Material Rotation Approval Requested',
    );
    expect(requested?.detail).toMatchObject({
      requestId: request.requestId,
      requester: arnOf('requester'),
      reason: 'yearly rotation',
      checkValue: pending.checkValue,
      deadline: request.deadline,
    });
    expect(JSON.stringify(requested?.detail)).not.toMatch(/taskToken|token/i);
    const rotated = events.find((event) => event['detail-type'] === 'byok Key Material Rotated');
    expect(rotated?.detail).toMatchObject({
      requestId: request.requestId,
      newKeyMaterialId: output.newKeyMaterialId,
    });
  }, 120_000);
});
