// Issue 22: a replica pending deletion must not keep the primary's PENDING material, which would
// block every later rotation of the key. abandonRotation deletes the new material from every
// replica best effort (each failure recorded) and from the primary always.
import {
  DeleteImportedKeyMaterialCommand,
  KMSClient,
  KMSInvalidStateException,
  ListKeyRotationsCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../../src/core/clock.ts';
import { abandonRotation } from '../../../../src/core/rotation/abandon.ts';
import type { RotationPlan } from '../../../../src/core/rotation/contracts.ts';

const PRIMARY = 'arn:aws:kms:us-east-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef';
const DELETING = PRIMARY.replace('us-east-1', 'eu-west-1');
const HEALTHY = PRIMARY.replace('us-east-1', 'ap-south-1');
const NEW_MATERIAL = 'c'.repeat(64);

const clients = Object.fromEntries(
  ['us-east-1', 'eu-west-1', 'ap-south-1'].map((region) => [region, new KMSClient({ region })]),
) as Record<string, KMSClient>;
const mocks = Object.fromEntries(
  Object.entries(clients).map(([region, client]) => [region, mockClient(client)]),
);

const plan: RotationPlan = {
  requestId: '3f2b8a4e-5c1d-4e7f-9a0b-1c2d3e4f5a6b',
  keyArn: PRIMARY,
  keyId: 'mrk-0123456789abcdef0123456789abcdef',
  requester: 'arn:aws:iam::111122223333:user/alice',
  reason: 'yearly',
  deadline: '2027-01-01T00:00:00.000Z',
  approvalsRequired: 1,
  approvalTimeoutSeconds: 3600,
  currentHsmKeyLabel: 'payments',
  newHsmKeyLabel: 'payments-r2-3f2b8a4e',
  sequence: 2,
  oldKeyMaterialId: 'a'.repeat(64),
  replicaArns: [DELETING, HEALTHY],
  probe: { ciphertext: 'AAAA', plaintextSha256: '0'.repeat(64) },
};

function pendingEverywhere(): void {
  for (const mock of Object.values(mocks)) {
    mock.on(ListKeyRotationsCommand).resolves({
      Rotations: [
        {
          KeyMaterialId: NEW_MATERIAL,
          ImportState: 'IMPORTED',
          KeyMaterialState: 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION',
        },
      ],
    });
    mock.on(DeleteImportedKeyMaterialCommand).resolves({});
  }
}

afterEach(() => {
  for (const mock of Object.values(mocks)) mock.reset();
});

describe('abandoning a rotation of a multi-Region key', () => {
  it('deletes the pending material from the primary even when a replica pending deletion refuses', async () => {
    // Prepare
    pendingEverywhere();
    mocks['eu-west-1']
      ?.on(DeleteImportedKeyMaterialCommand)
      .rejects(new KMSInvalidStateException({ message: `${DELETING} is pending deletion.`, $metadata: {} }));

    // Act
    const abandoned = await abandonRotation(
      {
        request: { requestId: plan.requestId, keyId: PRIMARY },
        rotation: plan,
        material: null,
        newMaterial: { keyMaterialId: NEW_MATERIAL, importedAt: '2026-12-01T00:00:00.000Z' },
        failure: { Error: 'States.Timeout' },
      },
      {
        kms: clients['us-east-1'] as KMSClient,
        kmsForRegion: (region) => clients[region] as KMSClient,
        clock: systemClock,
      },
    );

    // Assess
    expect(abandoned.deletedKeyMaterialId).toBe(NEW_MATERIAL);
    expect(abandoned.cleanupFailures).toEqual([`${DELETING}: KMSInvalidStateException`]);
    expect(
      mocks['us-east-1']?.commandCalls(DeleteImportedKeyMaterialCommand, { KeyId: PRIMARY }),
    ).toHaveLength(1);
    expect(
      mocks['ap-south-1']?.commandCalls(DeleteImportedKeyMaterialCommand, { KeyId: HEALTHY }),
    ).toHaveLength(1);
    expect(abandoned.outcome).toBe('EXPIRED');
  });

  it('stops before anything is destroyed when the primary itself refuses', async () => {
    // Prepare
    pendingEverywhere();
    mocks['us-east-1']
      ?.on(DeleteImportedKeyMaterialCommand)
      .rejects(new KMSInvalidStateException({ message: 'throttled', $metadata: {} }));

    // Act
    const attempt = abandonRotation(
      {
        request: { requestId: plan.requestId, keyId: PRIMARY },
        rotation: plan,
        material: null,
        newMaterial: { keyMaterialId: NEW_MATERIAL, importedAt: '2026-12-01T00:00:00.000Z' },
        failure: { Error: 'ApprovalTimeoutError' },
      },
      {
        kms: clients['us-east-1'] as KMSClient,
        kmsForRegion: (region) => clients[region] as KMSClient,
        clock: systemClock,
      },
    );

    // Assess: the step fails (its Catch retries the abandon path); the HSM key is not retired.
    await expect(attempt).rejects.toBeInstanceOf(KMSInvalidStateException);
  });
});
