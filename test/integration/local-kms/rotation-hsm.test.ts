// Issue 9 part 8: the local KMS endpoint keeps up with a rotation of imported material on a
// multi-Region key, with every material wrapped inside a real token (NSS softoken) and sent over
// real HTTP with the real @aws-sdk/client-kms: NEW_KEY_MATERIAL on the primary, the same material as
// EXISTING_KEY_MATERIAL into the replica, ListKeyRotations ALL_KEY_MATERIAL, RotateKeyOnDemand
// with its in-progress view and ConflictException, Decrypt's KeyMaterialId, per-Region expiry and
// deletion of a material by id, and all of it kept across a restart of a stack with a state dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateKeyCommand,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  type ImportKeyMaterialCommandInput,
  type KMSClient,
  ListKeyRotationsCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pkcs11Hsm } from '../../../src/core/hsm/pkcs11-adapter.ts';
import { chooseWrappingAlgorithm } from '../../../src/core/import/wrapping-algorithms.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';
import { expectAwsError, kmsClient } from '../../helpers/local-kms-support.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const FIRST = 'rotation-first';
const SECOND = 'rotation-second';

let token: TestToken;
let hsm: Pkcs11Hsm;

beforeAll(async () => {
  token = await createTestToken('nss', {
    keys: [
      { label: FIRST, type: 'AES_256' },
      { label: SECOND, type: 'AES_256' },
    ],
  });
  if (!token.hsm) throw new Error('token not open');
  hsm = token.hsm;
});

afterAll(async () => {
  await token?.cleanup();
});

/** GetParametersForImport in the client's Region, C_WrapKey in the token, ImportKeyMaterial. */
async function importFromHsm(
  client: KMSClient,
  keyId: string,
  label: string,
  extra: Partial<ImportKeyMaterialCommandInput>,
) {
  const { wrappingAlgorithm, wrappingKeySpec } = chooseWrappingAlgorithm(
    'SYMMETRIC_DEFAULT',
    await hsm.wrappingAlgorithms('AES_256'),
    undefined,
    'RSA_2048',
  );
  const parameters = await client.send(
    new GetParametersForImportCommand({
      KeyId: keyId,
      WrappingAlgorithm: wrappingAlgorithm,
      WrappingKeySpec: wrappingKeySpec,
    }),
  );
  const { wrappedKeyMaterial } = await hsm.wrapKey({
    label,
    algorithm: wrappingAlgorithm,
    wrappingPublicKey: parameters.PublicKey ?? new Uint8Array(),
    expectedKeyType: 'AES_256',
  });
  return client.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: parameters.ImportToken,
      EncryptedKeyMaterial: wrappedKeyMaterial,
      ...extra,
    }),
  );
}

async function materials(client: KMSClient, keyId: string) {
  const listed = await client.send(
    new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
  );
  return listed.Rotations ?? [];
}

async function metadata(client: KMSClient, keyId: string) {
  return (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
}

async function decrypt(client: KMSClient, ciphertext: Uint8Array | undefined) {
  const answer = await client.send(new DecryptCommand({ CiphertextBlob: ciphertext }));
  return { text: Buffer.from(answer.Plaintext ?? []).toString(), keyMaterialId: answer.KeyMaterialId };
}

describe('local KMS endpoint: rotating HSM-held material of a multi-Region key', () => {
  let stack: LocalStack;
  let east: KMSClient;
  let west: KMSClient;

  beforeAll(async () => {
    stack = await startLocalStack({ port: 0 });
    east = kmsClient(stack.url);
    west = kmsClient(stack.url, 'us-west-2');
  });

  afterAll(async () => {
    east?.destroy();
    west?.destroy();
    await stack?.stop();
  });

  it('holds the rotation until the replica has the new material, then rotates every Region', async () => {
    // Prepare
    const created = await east.send(new CreateKeyCommand({ Origin: 'EXTERNAL', MultiRegion: true }));
    const keyId = created.KeyMetadata?.KeyId ?? '';
    const arn = created.KeyMetadata?.Arn ?? '';
    const now = stack.clock.now().getTime();
    const first = await importFromHsm(east, keyId, FIRST, {
      ImportType: 'NEW_KEY_MATERIAL',
      KeyMaterialDescription: `hsm:${FIRST}`,
      ValidTo: new Date(now + 300 * DAY),
    });
    await east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'us-west-2' }));
    await importFromHsm(west, keyId, FIRST, {
      ImportType: 'EXISTING_KEY_MATERIAL',
      KeyMaterialId: first.KeyMaterialId,
      ValidTo: new Date(now + 200 * DAY),
    });
    const before = await east.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('before') }));

    // Act
    const second = await importFromHsm(east, keyId, SECOND, {
      ImportType: 'NEW_KEY_MATERIAL',
      KeyMaterialDescription: `hsm:${SECOND}`,
      ValidTo: new Date(now + 250 * DAY),
    });
    const waitingForReplica = await materials(east, keyId);
    await expectAwsError(
      east.send(new RotateKeyOnDemandCommand({ KeyId: keyId })),
      'KMSInvalidStateException',
      'Cannot perform key material rotation: Key material has not been imported for replicas of the Multi-Region key.',
    );
    await importFromHsm(west, keyId, SECOND, {
      ImportType: 'EXISTING_KEY_MATERIAL',
      KeyMaterialId: second.KeyMaterialId,
      ValidTo: new Date(now + 100 * DAY),
    });
    const readyToRotate = await materials(east, keyId);
    await east.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const whileRotating = await east.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    const currentWhileRotating = (await metadata(east, keyId))?.CurrentKeyMaterialId;
    await expectAwsError(east.send(new RotateKeyOnDemandCommand({ KeyId: keyId })), 'ConflictException');
    await stack.clock.advance(61_000);
    const afterStatus = await east.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    const after = await east.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('after') }));

    // Assess
    expect(first.KeyMaterialId).toMatch(/^[a-f0-9]{64}$/);
    expect(second.KeyMaterialId).toMatch(/^[a-f0-9]{64}$/);
    expect(second.KeyMaterialId).not.toBe(first.KeyMaterialId);
    expect(waitingForReplica.map((entry) => entry.KeyMaterialState)).toEqual([
      'CURRENT',
      'PENDING_MULTI_REGION_IMPORT_AND_ROTATION',
    ]);
    expect(readyToRotate[1]).toMatchObject({
      KeyId: arn,
      KeyMaterialId: second.KeyMaterialId,
      KeyMaterialDescription: `hsm:${SECOND}`,
      ImportState: 'IMPORTED',
      KeyMaterialState: 'PENDING_ROTATION',
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: new Date(Math.floor((now + 250 * DAY) / 1000) * 1000),
    });
    expect(whileRotating.OnDemandRotationStartDate).toBeInstanceOf(Date);
    expect(currentWhileRotating).toBe(first.KeyMaterialId);
    expect(afterStatus.OnDemandRotationStartDate).toBeUndefined();
    for (const client of [east, west]) {
      expect((await metadata(client, keyId))?.CurrentKeyMaterialId).toBe(second.KeyMaterialId);
      expect(await decrypt(client, before.CiphertextBlob)).toEqual({
        text: 'before',
        keyMaterialId: first.KeyMaterialId,
      });
      expect(await decrypt(client, after.CiphertextBlob)).toEqual({
        text: 'after',
        keyMaterialId: second.KeyMaterialId,
      });
    }
    const westMaterials = await materials(west, keyId);
    expect(
      westMaterials.map((entry) => [entry.KeyMaterialId, entry.KeyMaterialState, entry.ValidTo]),
    ).toEqual([
      [first.KeyMaterialId, 'NON_CURRENT', new Date(Math.floor((now + 200 * DAY) / 1000) * 1000)],
      [second.KeyMaterialId, 'CURRENT', new Date(Math.floor((now + 100 * DAY) / 1000) * 1000)],
    ]);
    // DescribeKey's ValidTo is the earliest of the Region's own materials.
    expect((await metadata(west, keyId))?.ValidTo).toEqual(
      new Date(Math.floor((now + 100 * DAY) / 1000) * 1000),
    );
    expect((await metadata(east, keyId))?.ValidTo).toEqual(
      new Date(Math.floor((now + 250 * DAY) / 1000) * 1000),
    );
  });

  it('expires each material on its own ValidTo, per Region, and the reimport by id restores it', async () => {
    // Prepare
    const created = await east.send(new CreateKeyCommand({ Origin: 'EXTERNAL', MultiRegion: true }));
    const keyId = created.KeyMetadata?.KeyId ?? '';
    const now = stack.clock.now().getTime();
    const first = await importFromHsm(east, keyId, FIRST, { ValidTo: new Date(now + 30 * DAY) });
    await east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'us-west-2' }));
    await importFromHsm(west, keyId, FIRST, { ValidTo: new Date(now + 10 * DAY) });
    const second = await importFromHsm(east, keyId, SECOND, {
      ImportType: 'NEW_KEY_MATERIAL',
      ValidTo: new Date(now + 20 * DAY),
    });
    await importFromHsm(west, keyId, SECOND, {
      ImportType: 'EXISTING_KEY_MATERIAL',
      KeyMaterialId: second.KeyMaterialId,
      ValidTo: new Date(now + 40 * DAY),
    });
    await east.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    await stack.clock.advance(61_000);

    // Act
    await stack.clock.advance(15 * DAY);
    const westAfterOwnExpiry = await metadata(west, keyId);
    const eastAfterWestExpiry = await metadata(east, keyId);
    const westEntries = await materials(west, keyId);
    await importFromHsm(west, keyId, FIRST, {
      ImportType: 'EXISTING_KEY_MATERIAL',
      KeyMaterialId: first.KeyMaterialId,
      ValidTo: new Date(stack.clock.now().getTime() + 60 * DAY),
    });
    const westRestored = await metadata(west, keyId);
    await stack.clock.advance(10 * DAY);
    const eastAfterOwnExpiry = await metadata(east, keyId);
    const westStill = await metadata(west, keyId);

    // Assess
    expect(westAfterOwnExpiry?.KeyState).toBe('PendingImport');
    expect(eastAfterWestExpiry?.KeyState).toBe('Enabled');
    expect(westEntries.map((entry) => [entry.KeyMaterialId, entry.ImportState])).toEqual([
      [first.KeyMaterialId, 'PENDING_IMPORT'],
      [second.KeyMaterialId, 'IMPORTED'],
    ]);
    expect(westRestored?.KeyState).toBe('Enabled');
    expect(eastAfterOwnExpiry?.KeyState).toBe('PendingImport');
    expect(eastAfterOwnExpiry?.CurrentKeyMaterialId).toBe(second.KeyMaterialId);
    expect(westStill?.KeyState).toBe('Enabled');
  });

  it('deletes pending material by id on the primary in every Region, and on a replica in that Region only', async () => {
    // Prepare
    const created = await east.send(new CreateKeyCommand({ Origin: 'EXTERNAL', MultiRegion: true }));
    const keyId = created.KeyMetadata?.KeyId ?? '';
    const first = await importFromHsm(east, keyId, FIRST, {
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
    await east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'us-west-2' }));
    await importFromHsm(west, keyId, FIRST, { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' });
    const pending = await importFromHsm(east, keyId, SECOND, {
      ImportType: 'NEW_KEY_MATERIAL',
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
    const replicaCopy = {
      ImportType: 'EXISTING_KEY_MATERIAL' as const,
      KeyMaterialId: pending.KeyMaterialId,
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const,
    };
    await importFromHsm(west, keyId, SECOND, replicaCopy);

    // Act
    const deletedInReplica = await west.send(
      new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: pending.KeyMaterialId }),
    );
    const primaryAfterReplicaDelete = await materials(east, keyId);
    const westState = (await metadata(west, keyId))?.KeyState;
    await importFromHsm(west, keyId, SECOND, replicaCopy);
    const deletedInPrimary = await east.send(
      new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: pending.KeyMaterialId }),
    );
    const eastAfter = await materials(east, keyId);
    const westAfter = await materials(west, keyId);

    // Assess
    expect(deletedInReplica.KeyMaterialId).toBe(pending.KeyMaterialId);
    expect(primaryAfterReplicaDelete[1]?.KeyMaterialState).toBe('PENDING_MULTI_REGION_IMPORT_AND_ROTATION');
    expect(westState).toBe('Enabled');
    expect(deletedInPrimary.KeyMaterialId).toBe(pending.KeyMaterialId);
    expect(eastAfter.map((entry) => entry.KeyMaterialId)).toEqual([first.KeyMaterialId]);
    expect(westAfter.map((entry) => entry.KeyMaterialId)).toEqual([first.KeyMaterialId]);
    await expectAwsError(
      east.send(new RotateKeyOnDemandCommand({ KeyId: keyId })),
      'KMSInvalidStateException',
      `No available key material pending rotation for the key: ${created.KeyMetadata?.Arn}.`,
    );
  });
});

describe('local KMS endpoint: a rotation in progress survives a restart', () => {
  it('keeps materials, descriptions, per-Region ValidTo and the running rotation in the state dir', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'byok-rotation-restart-'));
    let stack = await startLocalStack({ port: 0, stateDir: dir });
    let east = kmsClient(stack.url);
    let west = kmsClient(stack.url, 'us-west-2');
    try {
      const created = await east.send(new CreateKeyCommand({ Origin: 'EXTERNAL', MultiRegion: true }));
      const keyId = created.KeyMetadata?.KeyId ?? '';
      const now = stack.clock.now().getTime();
      const first = await importFromHsm(east, keyId, FIRST, {
        KeyMaterialDescription: `hsm:${FIRST}`,
        ValidTo: new Date(now + 90 * DAY),
      });
      await east.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'us-west-2' }));
      await importFromHsm(west, keyId, FIRST, { ValidTo: new Date(now + 80 * DAY) });
      const second = await importFromHsm(east, keyId, SECOND, {
        ImportType: 'NEW_KEY_MATERIAL',
        KeyMaterialDescription: `hsm:${SECOND}`,
        ValidTo: new Date(now + 70 * DAY),
      });
      await importFromHsm(west, keyId, SECOND, {
        ImportType: 'EXISTING_KEY_MATERIAL',
        KeyMaterialId: second.KeyMaterialId,
        ValidTo: new Date(now + 60 * DAY),
      });
      await east.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
      const startDate = (await east.send(new GetKeyRotationStatusCommand({ KeyId: keyId })))
        .OnDemandRotationStartDate;
      const eastBefore = await materials(east, keyId);
      const westBefore = await materials(west, keyId);
      east.destroy();
      west.destroy();
      await stack.stop();

      // Act
      stack = await startLocalStack({ port: 0, stateDir: dir });
      east = kmsClient(stack.url);
      west = kmsClient(stack.url, 'us-west-2');
      const eastRestarted = await materials(east, keyId);
      const westRestarted = await materials(west, keyId);
      const statusRestarted = await east.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
      await expectAwsError(east.send(new RotateKeyOnDemandCommand({ KeyId: keyId })), 'ConflictException');
      await stack.clock.advance(61_000);

      // Assess
      expect(eastRestarted).toEqual(eastBefore);
      expect(westRestarted).toEqual(westBefore);
      expect(eastRestarted.map((entry) => entry.KeyMaterialDescription)).toEqual([
        `hsm:${FIRST}`,
        `hsm:${SECOND}`,
      ]);
      expect(statusRestarted.OnDemandRotationStartDate).toEqual(startDate);
      for (const client of [east, west]) {
        expect((await metadata(client, keyId))?.CurrentKeyMaterialId).toBe(second.KeyMaterialId);
      }
      expect((await materials(east, keyId)).map((entry) => entry.KeyMaterialState)).toEqual([
        'NON_CURRENT',
        'CURRENT',
      ]);
      expect(first.KeyMaterialId).toBe(eastBefore[0]?.KeyMaterialId);
    } finally {
      east.destroy();
      west.destroy();
      await stack.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
