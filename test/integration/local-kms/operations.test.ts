import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GetKeyRotationStatusCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  type ImportKeyMaterialCommandInput,
  type KMSClient,
  ListAliasesCommand,
  ReplicateKeyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  SignCommand,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import {
  expectAwsError,
  kmsClient,
  type TestWrappingAlgorithm,
  wrapMaterial,
} from '../../helpers/local-kms-support.ts';

let stack: LocalStack;
let kms: KMSClient;
let westKms: KMSClient;

beforeAll(async () => {
  // Rotation completes quickly here so a run of 25 rotations stays cheap.
  stack = await startLocalStack({ port: 0, kmsRotationDelayMs: 1000 });
  kms = kmsClient(stack.url);
  westKms = kmsClient(stack.url, 'eu-west-1');
});

afterAll(async () => {
  kms.destroy();
  westKms.destroy();
  await stack.stop();
});

async function externalKey(extra: Record<string, unknown> = {}) {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', ...extra }));
  return { keyId: KeyMetadata?.KeyId ?? '', arn: KeyMetadata?.Arn ?? '' };
}

async function importMaterial(
  keyId: string,
  material: Buffer,
  extra: Partial<ImportKeyMaterialCommandInput> = {},
  algorithm: TestWrappingAlgorithm = 'RSAES_OAEP_SHA_256',
  client = kms,
) {
  const { ImportToken, PublicKey } = await client.send(
    new GetParametersForImportCommand({
      KeyId: keyId,
      WrappingAlgorithm: algorithm,
      WrappingKeySpec: 'RSA_2048',
    }),
  );
  return client.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken,
      EncryptedKeyMaterial: wrapMaterial(PublicKey ?? new Uint8Array(), algorithm, material),
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      ...extra,
    }),
  );
}

describe('local KMS endpoint: remaining operations', () => {
  it('encrypts to an imported RSA encryption key and decrypts what the original private key can read', async () => {
    // Prepare
    const { keyId, arn } = await externalKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await importMaterial(
      keyId,
      pair.privateKey.export({ format: 'der', type: 'pkcs8' }),
      {},
      'RSA_AES_KEY_WRAP_SHA_256',
    );
    const challenge = randomBytes(32);

    // Act
    const encrypted = await kms.send(
      new EncryptCommand({ KeyId: keyId, Plaintext: challenge, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
    );
    const toKms = publicEncrypt(
      { key: pair.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      challenge,
    );
    const decrypted = await kms.send(
      new DecryptCommand({ KeyId: keyId, CiphertextBlob: toKms, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
    );

    // Assess
    const readBack = privateDecrypt(
      { key: pair.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      Buffer.from(encrypted.CiphertextBlob ?? []),
    );
    expect(readBack.equals(challenge)).toBe(true);
    expect(Buffer.from(decrypted.Plaintext ?? []).equals(challenge)).toBe(true);
    expect(decrypted.KeyId).toBe(arn);
    await expectAwsError(
      kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: challenge })),
      'InvalidKeyUsageException',
      'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.',
    );
  });

  it('updates, lists and deletes aliases, and generates data keys without plaintext', async () => {
    // Prepare
    const first = await externalKey();
    const second = await externalKey();
    await importMaterial(first.keyId, randomBytes(32));
    await importMaterial(second.keyId, randomBytes(32));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: first.keyId }));

    // Act
    await kms.send(new UpdateAliasCommand({ AliasName: 'alias/moving', TargetKeyId: second.arn }));
    const dataKey = await kms.send(
      new GenerateDataKeyWithoutPlaintextCommand({ KeyId: 'alias/moving', NumberOfBytes: 64 }),
    );
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }));
    await kms.send(new DeleteAliasCommand({ AliasName: 'alias/moving' }));
    const remaining = await kms.send(new ListAliasesCommand({}));

    // Assess
    expect(dataKey.KeyId).toBe(second.arn);
    expect(dataKey).not.toHaveProperty('Plaintext');
    expect(decrypted.Plaintext).toHaveLength(64);
    expect(remaining.Aliases?.map((alias) => alias.AliasName)).not.toContain('alias/moving');
    await expectAwsError(
      kms.send(new DeleteAliasCommand({ AliasName: 'alias/moving' })),
      'NotFoundException',
      'Alias arn:aws:kms:us-east-1:111122223333:alias/moving is not found.',
    );
    await expectAwsError(
      kms.send(new EncryptCommand({ KeyId: 'alias/moving', Plaintext: Buffer.from('x') })),
      'NotFoundException',
      'Alias arn:aws:kms:us-east-1:111122223333:alias/moving is not found.',
    );
  });

  it('answers for keys without material as AWS recorded it', async () => {
    // Prepare
    const signing = await externalKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const symmetric = await externalKey();

    // Act
    const deleted = await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: symmetric.keyId }));

    // Assess
    expect(deleted).toMatchObject({ KeyId: symmetric.arn });
    expect(deleted.KeyMaterialId).toBeUndefined();
    await expectAwsError(
      kms.send(new GetPublicKeyCommand({ KeyId: signing.keyId })),
      'KMSInvalidStateException',
      `${signing.arn} is pending import.`,
    );
    await expectAwsError(
      kms.send(
        new SignCommand({
          KeyId: signing.keyId,
          Message: Buffer.from('m'),
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
      'KMSInvalidStateException',
      `${signing.arn} is pending import.`,
    );
    await expectAwsError(
      kms.send(new RotateKeyOnDemandCommand({ KeyId: symmetric.keyId })),
      'KMSInvalidStateException',
      `${symmetric.arn} is pending import.`,
    );
  });

  it('deletes imported material of a key pending deletion and leaves it PendingDeletion', async () => {
    // Prepare
    const { keyId, arn } = await externalKey();
    const { KeyMaterialId } = await importMaterial(keyId, randomBytes(32));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));

    // Act
    const deleted = await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));

    // Assess
    expect(deleted).toMatchObject({ KeyId: arn, KeyMaterialId });
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.KeyState).toBe(
      'PendingDeletion',
    );
    await expectAwsError(
      importMaterial(keyId, randomBytes(32)),
      'KMSInvalidStateException',
      `${arn} is pending deletion.`,
    );
  });

  it('refuses automatic rotation for imported keys with the recorded message', async () => {
    // Prepare
    const { keyId, arn } = await externalKey();

    // Act & Assess
    await expectAwsError(
      kms.send(new EnableKeyRotationCommand({ KeyId: keyId })),
      'UnsupportedOperationException',
      `${arn} origin is EXTERNAL which is not valid for this operation.`,
    );
    expect(await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).toMatchObject({
      KeyRotationEnabled: false,
      KeyId: arn,
    });
  });

  it('refuses RotateKeyOnDemand for non-symmetric and disabled keys', async () => {
    // Prepare
    const hmac = await externalKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const symmetric = await externalKey();
    await importMaterial(symmetric.keyId, randomBytes(32));
    await kms.send(new DisableKeyCommand({ KeyId: symmetric.keyId }));

    // Act & Assess
    await expectAwsError(
      kms.send(new RotateKeyOnDemandCommand({ KeyId: hmac.keyId })),
      'UnsupportedOperationException',
      null,
    );
    await expectAwsError(
      kms.send(new RotateKeyOnDemandCommand({ KeyId: symmetric.keyId })),
      'DisabledException',
      `${symmetric.arn} is disabled.`,
    );
  });

  it('stops on-demand rotations at 25 per key with LimitExceededException', async () => {
    // Prepare
    const { keyId, arn } = await externalKey();
    await importMaterial(keyId, randomBytes(32));
    for (let rotation = 0; rotation < 25; rotation += 1) {
      await importMaterial(keyId, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' });
      await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
      await stack.clock.advance(1000);
    }
    await importMaterial(keyId, randomBytes(32), { ImportType: 'NEW_KEY_MATERIAL' });

    // Act & Assess
    await expectAwsError(
      kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })),
      'LimitExceededException',
      `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${arn}`,
    );
  });

  it('refuses a KeyMaterialDescription and NEW_KEY_MATERIAL on a multi-Region replica', async () => {
    // Prepare
    const { keyId } = await externalKey({ MultiRegion: true });
    const material = randomBytes(32);
    await importMaterial(keyId, material);
    await kms.send(new ReplicateKeyCommand({ KeyId: keyId, ReplicaRegion: 'eu-west-1' }));

    // Act & Assess
    await expectAwsError(
      importMaterial(keyId, material, { KeyMaterialDescription: 'replica' }, 'RSAES_OAEP_SHA_256', westKms),
      'ValidationException',
      'Key material description can only be specified on primary Multi-Region keys',
    );
    await expectAwsError(
      importMaterial(
        keyId,
        randomBytes(32),
        { ImportType: 'NEW_KEY_MATERIAL' },
        'RSAES_OAEP_SHA_256',
        westKms,
      ),
      'ValidationException',
      'Input parameter ImportType NEW_KEY_MATERIAL cannot be used on replica Multi-Region keys',
    );
    const described = await westKms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata?.KeyState).toBe('PendingImport');
  });

  it('validates CreateKey input with AWS messages and answers unknown operations', async () => {
    // Act & Assess
    await expectAwsError(
      kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048' })),
      'ValidationException',
      'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    );
    await expectAwsError(
      kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' })),
      'ValidationException',
      'KeyUsage ENCRYPT_DECRYPT is not compatible with KeySpec ECC_NIST_P256',
    );
    await expectAwsError(
      kms.send(new CreateKeyCommand({ KeySpec: 'AES_256' as never })),
      'ValidationException',
      /^1 validation error detected: Value 'AES_256' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[/,
    );
    const unknown = await fetch(stack.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'TrentService.NoSuchOperation',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({ __type: 'UnknownOperationException' });
  });
});
