import { randomBytes } from 'node:crypto';
import {
  CancelKeyDeletionCommand,
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
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KmsEvent } from '../../../src/local/kms/events.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { expectAwsError, kmsClient, wrapMaterial } from '../../helpers/local-kms-support.ts';

const HOUR = 3_600_000;
let stack: LocalStack;
let kms: KMSClient;
let westKms: KMSClient;
const events: { event: KmsEvent; at: Date }[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  kms = kmsClient(stack.url);
  westKms = kmsClient(stack.url, 'us-west-2');
  stack.kms.onEvent((event) => {
    events.push({ event, at: stack.clock.now() });
  });
});

afterAll(async () => {
  kms.destroy();
  westKms.destroy();
  await stack.stop();
});

async function createExternalKey(client = kms, multiRegion = false) {
  const { KeyMetadata } = await client.send(
    new CreateKeyCommand({ Origin: 'EXTERNAL', MultiRegion: multiRegion }),
  );
  return { keyId: KeyMetadata?.KeyId ?? '', arn: KeyMetadata?.Arn ?? '' };
}

async function importMaterial(
  keyId: string,
  material: Buffer,
  extra: Partial<ImportKeyMaterialCommandInput> = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' },
  client = kms,
) {
  const { ImportToken, PublicKey } = await client.send(
    new GetParametersForImportCommand({
      KeyId: keyId,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      WrappingKeySpec: 'RSA_2048',
    }),
  );
  return client.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken,
      EncryptedKeyMaterial: wrapMaterial(PublicKey ?? new Uint8Array(), 'RSAES_OAEP_SHA_256', material),
      ...extra,
    }),
  );
}

async function encrypt(keyId: string, text: string, client = kms) {
  return (await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from(text) })))
    .CiphertextBlob;
}

async function decrypt(ciphertext: Uint8Array | undefined, client = kms) {
  const answer = await client.send(new DecryptCommand({ CiphertextBlob: ciphertext }));
  return { text: Buffer.from(answer.Plaintext ?? []).toString(), keyMaterialId: answer.KeyMaterialId };
}

describe('local KMS endpoint: expiry on the virtual clock', () => {
  it('deletes expired material at ValidTo, emits the expiration event, and recovers on reimport', async () => {
    // Prepare
    const { keyId, arn } = await createExternalKey();
    const material = randomBytes(32);
    const validTo = new Date(stack.clock.now().getTime() + 2 * HOUR);
    const { KeyMaterialId } = await importMaterial(keyId, material, {
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: validTo,
    });
    const ciphertext = await encrypt(keyId, 'before expiry');
    const expectedExpiry = Math.floor(validTo.getTime() / 1000) * 1000;
    events.length = 0;

    // Act
    await stack.clock.advance(3 * HOUR);
    const expired = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;

    // Assess
    const expirations = events.filter(
      ({ event }) => event['detail-type'] === 'KMS Imported Key Material Expiration',
    );
    expect(expirations).toHaveLength(1);
    expect(expirations[0]?.event).toMatchObject({
      version: '0',
      source: 'aws.kms',
      account: '111122223333',
      region: 'us-east-1',
      resources: [arn],
      detail: { 'key-id': keyId, 'key-material-id': KeyMaterialId },
      time: new Date(expectedExpiry).toISOString().replace('.000Z', 'Z'),
    });
    // The listener ran at the expiry instant, not at the end of the advance.
    expect(expirations[0]?.at.getTime()).toBeGreaterThanOrEqual(expectedExpiry);
    expect(expirations[0]?.at.getTime()).toBeLessThan(expectedExpiry + 60_000);
    expect(expired).toMatchObject({
      KeyState: 'PendingImport',
      Enabled: false,
      CurrentKeyMaterialId: KeyMaterialId,
    });
    expect(expired?.ExpirationModel).toBeUndefined();
    expect(expired?.ValidTo).toBeUndefined();
    await expectAwsError(encrypt(keyId, 'x'), 'KMSInvalidStateException', `${arn} is pending import.`);
    await expectAwsError(decrypt(ciphertext), 'KMSInvalidStateException', `${arn} is pending import.`);
    await importMaterial(keyId, material);
    expect(await decrypt(ciphertext)).toEqual({ text: 'before expiry', keyMaterialId: KeyMaterialId });
  });

  it('serves the clock over HTTP: read, advance by a duration, refuse going backwards', async () => {
    // Prepare
    const before = (await (await fetch(`${stack.url}/_byok/clock`)).json()) as {
      epochMs: number;
      offsetMs: number;
    };

    // Act
    const advanced = await fetch(`${stack.url}/_byok/clock`, {
      method: 'POST',
      body: JSON.stringify({ advance: '25h' }),
    });
    const backwards = await fetch(`${stack.url}/_byok/clock`, {
      method: 'POST',
      body: JSON.stringify({ set: '2001-01-01T00:00:00Z' }),
    });

    // Assess
    const after = (await advanced.json()) as { epochMs: number; offsetMs: number; now: string };
    expect(after.offsetMs - before.offsetMs).toBe(25 * HOUR);
    expect(new Date(after.now).getTime()).toBe(after.epochMs);
    expect(backwards.status).toBe(400);
    expect(await backwards.json()).toMatchObject({ error: 'VirtualClockError' });
  });
});

describe('local KMS endpoint: on-demand rotation of imported material', () => {
  it('rotates asynchronously onto pending material while old ciphertext keeps decrypting', async () => {
    // Prepare
    const { keyId, arn } = await createExternalKey();
    const first = await importMaterial(keyId, randomBytes(32), {
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      KeyMaterialDescription: 'first material',
    });
    const oldCiphertext = await encrypt(keyId, 'old');
    events.length = 0;

    // Act
    const second = await importMaterial(keyId, randomBytes(32), {
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      ImportType: 'NEW_KEY_MATERIAL',
    });
    const pendingView = await kms.send(
      new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    );
    const currentBefore = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata
      ?.CurrentKeyMaterialId;
    const started = await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    await expectAwsError(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })), 'ConflictException');
    await stack.clock.advance(61_000);
    const currentAfter = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata
      ?.CurrentKeyMaterialId;
    const allMaterial = await kms.send(
      new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    );
    const rotationsOnly = await kms.send(new ListKeyRotationsCommand({ KeyId: keyId }));
    const newCiphertext = await encrypt(keyId, 'new');

    // Assess
    expect(pendingView.Rotations).toEqual([
      {
        KeyId: arn,
        KeyMaterialId: first.KeyMaterialId,
        KeyMaterialDescription: 'first material',
        ImportState: 'IMPORTED',
        KeyMaterialState: 'CURRENT',
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      },
      {
        KeyId: arn,
        KeyMaterialId: second.KeyMaterialId,
        ImportState: 'IMPORTED',
        KeyMaterialState: 'PENDING_ROTATION',
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      },
    ]);
    expect(currentBefore).toBe(first.KeyMaterialId);
    expect(started).toMatchObject({ KeyId: arn });
    expect(status.OnDemandRotationStartDate).toBeInstanceOf(Date);
    expect(currentAfter).toBe(second.KeyMaterialId);
    expect(allMaterial.Rotations?.map((entry) => [entry.KeyMaterialId, entry.KeyMaterialState])).toEqual([
      [first.KeyMaterialId, 'NON_CURRENT'],
      [second.KeyMaterialId, 'CURRENT'],
    ]);
    expect(rotationsOnly.Rotations).toHaveLength(1);
    expect(rotationsOnly.Rotations?.[0]).toMatchObject({
      KeyMaterialId: second.KeyMaterialId,
      RotationType: 'ON_DEMAND',
    });
    expect(rotationsOnly.Rotations?.[0]?.RotationDate).toBeInstanceOf(Date);
    expect(await decrypt(oldCiphertext)).toEqual({ text: 'old', keyMaterialId: first.KeyMaterialId });
    expect(await decrypt(newCiphertext)).toEqual({ text: 'new', keyMaterialId: second.KeyMaterialId });
    expect(events.map(({ event }) => event['detail-type'])).toEqual(['KMS CMK Rotation']);
    expect(events[0]?.event.detail).toMatchObject({
      'previous-key-material-id': first.KeyMaterialId,
      'current-key-material-id': second.KeyMaterialId,
      'key-origin': 'EXTERNAL',
    });
    expect(
      (await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).OnDemandRotationStartDate,
    ).toBeUndefined();
    await expectAwsError(
      kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })),
      'KMSInvalidStateException',
      `No available key material pending rotation for the key: ${arn}.`,
    );
  });

  it('applies the NEW_KEY_MATERIAL rules and restores a deleted NON_CURRENT material by id', async () => {
    // Prepare
    const { keyId, arn } = await createExternalKey();
    const firstMaterial = randomBytes(32);
    const first = await importMaterial(keyId, firstMaterial);
    const second = await importMaterial(keyId, randomBytes(32), {
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      ImportType: 'NEW_KEY_MATERIAL',
    });
    const third = randomBytes(32);

    // Act & Assess
    await expectAwsError(
      importMaterial(keyId, third, {
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ImportType: 'NEW_KEY_MATERIAL',
      }),
      'KMSInvalidStateException',
      new RegExp(
        `^New key material \\(id: [a-f0-9]{64}\\) cannot be imported into KMS key ${arn}, because another key material \\(id: ${second.KeyMaterialId}\\) is pending rotation\\.$`,
      ),
    );
    await expectAwsError(
      importMaterial(keyId, firstMaterial, {
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ImportType: 'NEW_KEY_MATERIAL',
      }),
      'IncorrectKeyMaterialException',
      `Key material (id: ${first.KeyMaterialId}) being imported as NEW_KEY_MATERIAL is already associated with KMS key ${arn}.`,
    );
    await expectAwsError(
      importMaterial(keyId, third, {
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ImportType: 'NEW_KEY_MATERIAL',
        KeyMaterialId: first.KeyMaterialId,
      }),
      'ValidationException',
      'Input parameter keyMaterialId cannot be used with NEW_KEY_MATERIAL importType.',
    );
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    await stack.clock.advance(61_000);
    await kms.send(
      new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: first.KeyMaterialId }),
    );
    const afterDelete = await kms.send(
      new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    );
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState).toBe(
      'PendingImport',
    );
    expect(afterDelete.Rotations?.[0]).toMatchObject({
      ImportState: 'PENDING_IMPORT',
      KeyMaterialState: 'NON_CURRENT',
    });
    expect(afterDelete.Rotations?.[0]?.ExpirationModel).toBeUndefined();
    await importMaterial(keyId, firstMaterial, {
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      KeyMaterialId: first.KeyMaterialId,
    });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState).toBe('Enabled');
    await expectAwsError(
      kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId, KeyMaterialId: '0'.repeat(64) })),
      'ValidationException',
      `Key material (id: ${'0'.repeat(64)}) has never been imported into KMS key ${arn}.`,
    );
  });
});

describe('local KMS endpoint: expiry of pending material', () => {
  it('lets a rotation land on expired pending material, which takes the key down until reimported', async () => {
    // Prepare
    const { keyId, arn } = await createExternalKey();
    await importMaterial(keyId, randomBytes(32));
    const oldCiphertext = await encrypt(keyId, 'before rotation');
    const pendingMaterial = randomBytes(32);
    const pending = await importMaterial(keyId, pendingMaterial, {
      ImportType: 'NEW_KEY_MATERIAL',
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: new Date(stack.clock.now().getTime() + HOUR),
    });
    await stack.clock.advance(2 * HOUR);
    const stillEnabled = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState;

    // Act
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    await stack.clock.advance(61_000);
    const afterRotation = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;

    // Assess
    expect(stillEnabled).toBe('Enabled');
    expect(afterRotation).toMatchObject({
      KeyState: 'PendingImport',
      CurrentKeyMaterialId: pending.KeyMaterialId,
    });
    await expectAwsError(decrypt(oldCiphertext), 'KMSInvalidStateException', `${arn} is pending import.`);
    await importMaterial(keyId, pendingMaterial);
    expect((await decrypt(oldCiphertext)).text).toBe('before rotation');
  });
});

describe('local KMS endpoint: multi-Region keys', () => {
  it('replicates an imported key; the replica takes the same material and decrypts the primary ciphertext', async () => {
    // Prepare
    const { keyId, arn } = await createExternalKey(kms, true);
    const material = randomBytes(32);
    await expectAwsError(
      kms.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'us-west-2' })),
      'KMSInvalidStateException',
      `${arn} is pending import.`,
    );
    const primaryImport = await importMaterial(keyId, material);
    const ciphertext = await encrypt(keyId, 'across regions');

    // Act
    const replicated = await kms.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'us-west-2' }));
    await expectAwsError(
      importMaterial(keyId, randomBytes(32), undefined, westKms),
      'IncorrectKeyMaterialException',
      `Imported key material does not have the expected identifier (${primaryImport.KeyMaterialId}).`,
    );
    const replicaImport = await importMaterial(keyId, material, undefined, westKms);
    const replicaView = (await westKms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;

    // Assess
    expect(keyId).toMatch(/^mrk-[0-9a-f]{32}$/);
    expect(replicated.ReplicaKeyMetadata).toMatchObject({
      Arn: `arn:aws:kms:us-west-2:111122223333:key/${keyId}`,
      KeyState: 'PendingImport',
      MultiRegionConfiguration: {
        MultiRegionKeyType: 'REPLICA',
        PrimaryKey: { Arn: arn, Region: 'us-east-1' },
      },
    });
    expect(replicaImport.KeyMaterialId).toBe(primaryImport.KeyMaterialId);
    expect(replicaView?.KeyState).toBe('Enabled');
    expect(await decrypt(ciphertext, westKms)).toEqual({
      text: 'across regions',
      keyMaterialId: primaryImport.KeyMaterialId,
    });
  });

  it('holds the primary rotation until every replica has the new material', async () => {
    // Prepare
    const { keyId } = await createExternalKey(kms, true);
    const material = randomBytes(32);
    const next = randomBytes(32);
    await importMaterial(keyId, material);
    await kms.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'us-west-2' }));
    await importMaterial(keyId, material, undefined, westKms);
    const pending = await importMaterial(keyId, next, {
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      ImportType: 'NEW_KEY_MATERIAL',
    });

    // Act
    const waiting = await kms.send(
      new ListKeyRotationsCommand({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    );
    await expectAwsError(
      kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })),
      'KMSInvalidStateException',
      'Cannot perform key material rotation: Key material has not been imported for replicas of the Multi-Region key.',
    );
    await importMaterial(
      keyId,
      next,
      {
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ImportType: 'EXISTING_KEY_MATERIAL',
        KeyMaterialId: pending.KeyMaterialId,
      },
      westKms,
    );
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    await stack.clock.advance(61_000);

    // Assess
    expect(waiting.Rotations?.[1]?.KeyMaterialState).toBe('PENDING_MULTI_REGION_IMPORT_AND_ROTATION');
    expect(
      (await westKms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.CurrentKeyMaterialId,
    ).toBe(pending.KeyMaterialId);
  });
});

describe('local KMS endpoint: key deletion', () => {
  it('schedules, cancels back to PendingImport, and deletes when the waiting period passes', async () => {
    // Prepare
    const { keyId, arn } = await createExternalKey();
    events.length = 0;

    // Act
    const scheduled = await kms.send(
      new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }),
    );
    await kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
    const afterCancel = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    await stack.clock.advance(8 * 24 * HOUR);

    // Assess
    expect(scheduled).toMatchObject({ KeyId: arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(afterCancel?.KeyState).toBe('PendingImport');
    await expectAwsError(
      kms.send(new DescribeKeyCommand({ KeyId: keyId })),
      'NotFoundException',
      `Key '${arn}' does not exist`,
    );
    expect(events.map(({ event }) => event['detail-type'])).toContain('KMS CMK Deletion');
  });
});
