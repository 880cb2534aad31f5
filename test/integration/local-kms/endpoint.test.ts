import {
  createCipheriv,
  createHash,
  createHmac,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  verify as verifySignature,
} from 'node:crypto';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  type CreateKeyCommandInput,
  DecryptCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  type ImportKeyMaterialCommandInput,
  type KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  SignCommand,
  TagResourceCommand,
  UntagResourceCommand,
  VerifyCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import {
  expectAwsError,
  kmsClient,
  type TestWrappingAlgorithm,
  wrapMaterial,
} from '../../helpers/local-kms-support.ts';

const HOUR = 3_600_000;
const CURVES: Record<string, string> = {
  ECC_NIST_P256: 'prime256v1',
  ECC_NIST_P384: 'secp384r1',
  ECC_NIST_P521: 'secp521r1',
  ECC_SECG_P256K1: 'secp256k1',
};
let stack: LocalStack;
let kms: KMSClient;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  kms = kmsClient(stack.url);
});

afterAll(async () => {
  kms.destroy();
  await stack.stop();
});

async function createExternalKey(input: Partial<CreateKeyCommandInput> = {}) {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL', ...input }));
  if (!KeyMetadata?.KeyId || !KeyMetadata.Arn) throw new Error('CreateKey returned no key');
  return { keyId: KeyMetadata.KeyId, arn: KeyMetadata.Arn, metadata: KeyMetadata };
}

async function parameters(
  keyId: string,
  algorithm: TestWrappingAlgorithm = 'RSAES_OAEP_SHA_256',
  spec: 'RSA_2048' | 'RSA_3072' | 'RSA_4096' = 'RSA_2048',
) {
  const answer = await kms.send(
    new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: spec }),
  );
  if (!answer.ImportToken || !answer.PublicKey) throw new Error('no import parameters');
  return { token: answer.ImportToken, publicKey: answer.PublicKey, answer, algorithm };
}

async function importMaterial(
  keyId: string,
  material: Buffer,
  extra: Partial<ImportKeyMaterialCommandInput> = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' },
  algorithm: TestWrappingAlgorithm = 'RSAES_OAEP_SHA_256',
) {
  const { token, publicKey } = await parameters(keyId, algorithm);
  return kms.send(
    new ImportKeyMaterialCommand({
      KeyId: keyId,
      ImportToken: token,
      EncryptedKeyMaterial: wrapMaterial(publicKey, algorithm, material),
      ...extra,
    }),
  );
}

function pkcs8(privateKey: KeyObject): Buffer {
  return privateKey.export({ format: 'der', type: 'pkcs8' });
}

describe('local KMS endpoint: importing symmetric key material over HTTP', () => {
  it('takes an EXTERNAL key from PendingImport to Enabled with AWS-shaped metadata', async () => {
    // Prepare
    const { keyId, arn, metadata } = await createExternalKey({ Description: 'byok test' });
    const requestedValidTo = new Date(stack.clock.now().getTime() + 48 * HOUR + 789);

    // Act
    const { answer, token, publicKey } = await parameters(keyId);
    const imported = await kms.send(
      new ImportKeyMaterialCommand({
        KeyId: keyId,
        ImportToken: token,
        EncryptedKeyMaterial: wrapMaterial(publicKey, 'RSAES_OAEP_SHA_256', randomBytes(32)),
        ExpirationModel: 'KEY_MATERIAL_EXPIRES',
        ValidTo: requestedValidTo,
      }),
    );
    const described = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;

    // Assess
    expect(metadata).toMatchObject({
      KeyState: 'PendingImport',
      Enabled: false,
      Origin: 'EXTERNAL',
      Description: 'byok test',
    });
    expect(metadata.CurrentKeyMaterialId).toBeUndefined();
    expect(metadata.ExpirationModel).toBeUndefined();
    expect(arn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${keyId}`);
    expect(answer.KeyId).toBe(arn);
    expect(Buffer.from(publicKey).toString('base64')).toMatch(/^MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A/);
    const validForMs = (answer.ParametersValidTo?.getTime() ?? 0) - stack.clock.now().getTime();
    expect(validForMs).toBeGreaterThan(24 * HOUR - 60_000);
    expect(validForMs).toBeLessThanOrEqual(24 * HOUR);
    expect(imported.KeyId).toBe(arn);
    expect(imported.KeyMaterialId).toMatch(/^[a-f0-9]{64}$/);
    expect(described).toMatchObject({
      KeyState: 'Enabled',
      Enabled: true,
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      CurrentKeyMaterialId: imported.KeyMaterialId,
    });
    expect(described?.ValidTo?.getTime()).toBe(Math.floor(requestedValidTo.getTime() / 1000) * 1000);
  });

  it('encrypts and decrypts with the imported material, binding the encryption context', async () => {
    // Prepare
    const { keyId, arn } = await createExternalKey();
    const { KeyMaterialId } = await importMaterial(keyId, randomBytes(32));
    const context = { tenant: 'a', purpose: 'test' };

    // Act
    const encrypted = await kms.send(
      new EncryptCommand({
        KeyId: keyId,
        Plaintext: Buffer.from('secret payload'),
        EncryptionContext: context,
      }),
    );
    const decrypted = await kms.send(
      new DecryptCommand({
        CiphertextBlob: encrypted.CiphertextBlob,
        EncryptionContext: { purpose: 'test', tenant: 'a' },
      }),
    );
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256' }));
    const dataKeyBack = await kms.send(
      new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, KeyId: arn }),
    );

    // Assess
    expect(encrypted.KeyId).toBe(arn);
    expect(encrypted.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(Buffer.from(decrypted.Plaintext ?? []).toString()).toBe('secret payload');
    expect(decrypted.KeyMaterialId).toBe(KeyMaterialId);
    expect(dataKey.Plaintext).toHaveLength(32);
    expect(Buffer.from(dataKeyBack.Plaintext ?? []).equals(Buffer.from(dataKey.Plaintext ?? []))).toBe(true);
    await expectAwsError(
      kms.send(
        new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { tenant: 'b' } }),
      ),
      'InvalidCiphertextException',
      null,
    );
    await expectAwsError(
      kms.send(new DecryptCommand({ CiphertextBlob: randomBytes(120) })),
      'InvalidCiphertextException',
      null,
    );
  });

  it('accepts older tokens after newer ones were issued and reuses a token', async () => {
    // Prepare
    const { keyId } = await createExternalKey();
    const material = randomBytes(32);
    const first = await parameters(keyId, 'RSAES_OAEP_SHA_256', 'RSA_2048');
    await parameters(keyId, 'RSAES_OAEP_SHA_1', 'RSA_3072');
    const send = () =>
      kms.send(
        new ImportKeyMaterialCommand({
          KeyId: keyId,
          ImportToken: first.token,
          EncryptedKeyMaterial: wrapMaterial(first.publicKey, 'RSAES_OAEP_SHA_256', material),
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      );

    // Act
    const once = await send();
    const again = await send();
    const viaNewToken = await importMaterial(
      keyId,
      material,
      { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' },
      'RSAES_OAEP_SHA_1',
    );

    // Assess
    expect(again.KeyMaterialId).toBe(once.KeyMaterialId);
    expect(viaNewToken.KeyMaterialId).toBe(once.KeyMaterialId);
  });

  it('refuses a corrupt token, another key token and an expired token', async () => {
    // Prepare
    const { keyId } = await createExternalKey();
    const other = await createExternalKey();
    const material = randomBytes(32);
    const own = await parameters(keyId);
    const foreign = await parameters(other.keyId);
    const attempt = (token: Uint8Array, publicKey: Uint8Array) =>
      kms.send(
        new ImportKeyMaterialCommand({
          KeyId: keyId,
          ImportToken: token,
          EncryptedKeyMaterial: wrapMaterial(publicKey, 'RSAES_OAEP_SHA_256', material),
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      );
    const corrupt = Buffer.from(own.token);
    corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] ?? 0) ^ 0xff;

    // Act & Assess
    await expectAwsError(attempt(corrupt, own.publicKey), 'InvalidImportTokenException', null);
    await expectAwsError(attempt(foreign.token, foreign.publicKey), 'InvalidImportTokenException', null);
    await stack.clock.advance(25 * HOUR);
    await expectAwsError(attempt(own.token, own.publicKey), 'ExpiredImportTokenException');
    const fresh = await parameters(keyId);
    await expect(attempt(fresh.token, fresh.publicKey)).resolves.toMatchObject({
      KeyMaterialId: expect.any(String),
    });
  });

  it('answers message-less errors with a body holding only __type', async () => {
    // Prepare
    const { keyId } = await createExternalKey();

    // Act
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'TrentService.ImportKeyMaterial',
      },
      body: JSON.stringify({
        KeyId: keyId,
        ImportToken: randomBytes(64).toString('base64'),
        EncryptedKeyMaterial: randomBytes(256).toString('base64'),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    });

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ __type: 'InvalidImportTokenException' });
  });

  it('refuses different material with the expected identifier, and accepts the same material again', async () => {
    // Prepare
    const { keyId } = await createExternalKey();
    const material = randomBytes(32);
    const first = await importMaterial(keyId, material);

    // Act & Assess
    await expectAwsError(
      importMaterial(keyId, randomBytes(32)),
      'IncorrectKeyMaterialException',
      `Imported key material does not have the expected identifier (${first.KeyMaterialId}).`,
    );
    const again = await importMaterial(keyId, material, {
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: new Date(stack.clock.now().getTime() + HOUR * 5),
    });
    expect(again.KeyMaterialId).toBe(first.KeyMaterialId);
  });

  it('refuses material of the wrong size and wrapped blobs that do not unwrap', async () => {
    // Prepare
    const { keyId } = await createExternalKey();
    const { token, publicKey } = await parameters(keyId);
    const send = (blob: Buffer) =>
      kms.send(
        new ImportKeyMaterialCommand({
          KeyId: keyId,
          ImportToken: token,
          EncryptedKeyMaterial: blob,
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      );

    // Act & Assess
    await expectAwsError(
      send(wrapMaterial(publicKey, 'RSAES_OAEP_SHA_256', randomBytes(31))),
      'InvalidCiphertextException',
      null,
    );
    await expectAwsError(
      send(wrapMaterial(publicKey, 'RSAES_OAEP_SHA_1', randomBytes(32))),
      'InvalidCiphertextException',
      null,
    );
    await expectAwsError(send(randomBytes(256)), 'InvalidCiphertextException', null);
    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata?.KeyState).toBe('PendingImport');
  });

  it.each<[Partial<ImportKeyMaterialCommandInput>, string]>([
    [
      { ExpirationModel: 'KEY_MATERIAL_EXPIRES' },
      'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES',
    ],
    [{}, 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES'],
    [
      {
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const,
        ValidTo: new Date(Date.now() + 10 * 86_400_000),
      },
      'A validTo date cannot be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE',
    ],
    [{ ValidTo: new Date(Date.now() - 60_000) }, 'ValidTo must be in the future'],
    [
      { ValidTo: new Date(Date.now() + 367 * 86_400_000) },
      'ValidTo must be less than 365 days in the future',
    ],
  ])('refuses bad expiry settings %o', async (extra, message) => {
    // Prepare
    const { keyId } = await createExternalKey();
    // The stack's clock may have been advanced by earlier tests; keep the ValidTo relative to it.
    const shift = stack.clock.now().getTime() - Date.now();
    const adjusted = extra.ValidTo ? { ...extra, ValidTo: new Date(extra.ValidTo.getTime() + shift) } : extra;

    // Act & Assess
    await expectAwsError(importMaterial(keyId, randomBytes(32), adjusted), 'ValidationException', message);
  });

  it('refuses RFC 5649 look-alikes such as a zero-padded RFC 3394 wrap', async () => {
    // Prepare
    const { keyId } = await createExternalKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const material = pkcs8(privateKey);
    const { token, publicKey } = await parameters(keyId, 'RSA_AES_KEY_WRAP_SHA_256');
    const aesKey = randomBytes(32);
    const padded = Buffer.concat([material, Buffer.alloc((8 - (material.length % 8)) % 8)]);
    const rfc3394 = createCipheriv('id-aes256-wrap', aesKey, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
    const oaepOnly = wrapMaterial(publicKey, 'RSAES_OAEP_SHA_256', aesKey);
    const blob = Buffer.concat([oaepOnly, rfc3394.update(padded), rfc3394.final()]);

    // Act & Assess
    await expectAwsError(
      kms.send(
        new ImportKeyMaterialCommand({
          KeyId: keyId,
          ImportToken: token,
          EncryptedKeyMaterial: blob,
          ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        }),
      ),
      'InvalidCiphertextException',
      null,
    );
  });
});

describe('local KMS endpoint: asymmetric and HMAC keys', () => {
  it.each([
    ['RSA_2048', 'RSA_AES_KEY_WRAP_SHA_256', 'RSASSA_PSS_SHA_256'],
    ['RSA_2048', 'RSA_AES_KEY_WRAP_SHA_1', 'RSASSA_PKCS1_V1_5_SHA_384'],
    ['ECC_NIST_P256', 'RSAES_OAEP_SHA_256', 'ECDSA_SHA_256'],
    ['ECC_NIST_P384', 'RSA_AES_KEY_WRAP_SHA_256', 'ECDSA_SHA_384'],
    ['ECC_SECG_P256K1', 'RSAES_OAEP_SHA_1', 'ECDSA_SHA_256'],
    ['ECC_NIST_P521', 'RSA_AES_KEY_WRAP_SHA_256', 'ECDSA_SHA_512'],
  ] as const)(
    'imports %s material wrapped with %s and signs with %s',
    async (keySpec, algorithm, signing) => {
      // Prepare
      const { keyId, arn } = await createExternalKey({ KeySpec: keySpec, KeyUsage: 'SIGN_VERIFY' });
      const pair = keySpec.startsWith('RSA')
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', {
            namedCurve: CURVES[keySpec] ?? '',
          });
      const message = Buffer.from('message to sign');

      // Act
      const imported = await importMaterial(keyId, pkcs8(pair.privateKey), undefined, algorithm);
      const signed = await kms.send(
        new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: signing }),
      );
      const hash = `sha${signing.slice(-3)}`;
      const digestSigned = await kms.send(
        new SignCommand({
          KeyId: keyId,
          Message: createHash(hash).update(message).digest(),
          MessageType: 'DIGEST',
          SigningAlgorithm: signing,
        }),
      );
      const verified = await kms.send(
        new VerifyCommand({
          KeyId: keyId,
          Message: message,
          Signature: signed.Signature,
          SigningAlgorithm: signing,
        }),
      );
      const publicKey = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));

      // Assess
      expect(imported).toEqual(expect.objectContaining({ KeyId: arn }));
      expect(imported.KeyMaterialId).toBeUndefined();
      const options = signing.startsWith('RSASSA_PSS')
        ? { key: pair.publicKey, padding: 6, saltLength: Number(signing.slice(-3)) / 8 }
        : { key: pair.publicKey, dsaEncoding: 'der' as const };
      for (const signature of [signed.Signature, digestSigned.Signature]) {
        expect(verifySignature(hash, message, options, Buffer.from(signature ?? []))).toBe(true);
      }
      expect(verified.SignatureValid).toBe(true);
      expect(
        Buffer.from(publicKey.PublicKey ?? []).equals(pair.publicKey.export({ format: 'der', type: 'spki' })),
      ).toBe(true);
      await expectAwsError(
        kms.send(
          new VerifyCommand({
            KeyId: keyId,
            Message: Buffer.from('other'),
            Signature: signed.Signature,
            SigningAlgorithm: signing,
          }),
        ),
        'KMSInvalidSignatureException',
      );
    },
  );

  it('refuses OAEP for RSA material, RSA_AES for symmetric, PKCS#1 v1.5, and OAEP/RSA_2048 for P-521', async () => {
    // Prepare
    const rsa = await createExternalKey({ KeySpec: 'RSA_3072', KeyUsage: 'SIGN_VERIFY' });
    const symmetric = await createExternalKey();
    const p521 = await createExternalKey({ KeySpec: 'ECC_NIST_P521', KeyUsage: 'SIGN_VERIFY' });
    const ask = (keyId: string, algorithm: string, spec: string) =>
      kms.send(
        new GetParametersForImportCommand({
          KeyId: keyId,
          WrappingAlgorithm: algorithm as TestWrappingAlgorithm,
          WrappingKeySpec: spec as 'RSA_2048',
        }),
      );

    // Act & Assess
    await expectAwsError(
      ask(rsa.keyId, 'RSAES_OAEP_SHA_256', 'RSA_2048'),
      'ValidationException',
      'Wrapping algorithm RSAES_OAEP_SHA_256 and wrapping key spec RSA_2048 cannot be used to import a RSA_3072 key.',
    );
    await expectAwsError(
      ask(symmetric.keyId, 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048'),
      'ValidationException',
      'Wrapping algorithm RSA_AES_KEY_WRAP_SHA_256 and wrapping key spec RSA_2048 cannot be used to import a SYMMETRIC_DEFAULT key.',
    );
    await expectAwsError(
      ask(symmetric.keyId, 'RSAES_PKCS1_V1_5', 'RSA_2048'),
      'ValidationException',
      'Wrapping algorithm RSAES_PKCS1_V1_5 and wrapping key spec RSA_2048 cannot be used to import a SYMMETRIC_DEFAULT key.',
    );
    await expectAwsError(
      ask(p521.keyId, 'RSAES_OAEP_SHA_256', 'RSA_2048'),
      'ValidationException',
      /import a ECC_NIST_P521 key\.$/,
    );
    await expectAwsError(
      ask(symmetric.keyId, 'RSAES_OAEP_SHA_512', 'RSA_2048'),
      'ValidationException',
      /at 'wrappingAlgorithm'/,
    );
  });

  it('refuses PKCS#8 material of the wrong curve or with trailing bytes', async () => {
    // Prepare
    const { keyId } = await createExternalKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const wrongCurve = pkcs8(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey);
    const trailing = Buffer.concat([
      pkcs8(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey),
      Buffer.from([0]),
    ]);

    // Act & Assess
    await expectAwsError(importMaterial(keyId, wrongCurve), 'InvalidCiphertextException', null);
    await expectAwsError(importMaterial(keyId, trailing), 'InvalidCiphertextException', null);
  });

  it('imports HMAC material within the length rules and computes the same MAC as node:crypto', async () => {
    // Prepare
    const { keyId } = await createExternalKey({ KeySpec: 'HMAC_224', KeyUsage: 'GENERATE_VERIFY_MAC' });
    const material = randomBytes(28);
    const message = Buffer.from('mac me');

    // Act
    await expectAwsError(importMaterial(keyId, randomBytes(27)), 'InvalidCiphertextException', null);
    await expectAwsError(
      importMaterial(keyId, material, {
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ImportType: 'EXISTING_KEY_MATERIAL',
      }),
      'ValidationException',
      'Input parameter importType cannot be used with HMAC_224 imported keys.',
    );
    await importMaterial(keyId, material);
    const mac = await kms.send(
      new GenerateMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: 'HMAC_SHA_224' }),
    );
    const verified = await kms.send(
      new VerifyMacCommand({ KeyId: keyId, Message: message, Mac: mac.Mac, MacAlgorithm: 'HMAC_SHA_224' }),
    );

    // Assess
    expect(Buffer.from(mac.Mac ?? []).equals(createHmac('sha224', material).update(message).digest())).toBe(
      true,
    );
    expect(verified.MacValid).toBe(true);
    await expectAwsError(
      kms.send(
        new VerifyMacCommand({
          KeyId: keyId,
          Message: Buffer.from('x'),
          Mac: mac.Mac,
          MacAlgorithm: 'HMAC_SHA_224',
        }),
      ),
      'KMSInvalidMacException',
    );
  });
});

describe('local KMS endpoint: key states, aliases and tags', () => {
  it('refuses a PendingImport key and a disabled key with AWS messages', async () => {
    // Prepare
    const { keyId, arn } = await createExternalKey();
    const encrypt = () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('x') }));

    // Act & Assess
    await expectAwsError(encrypt(), 'KMSInvalidStateException', `${arn} is pending import.`);
    await expectAwsError(
      kms.send(new EnableKeyCommand({ KeyId: keyId })),
      'KMSInvalidStateException',
      `${arn} is pending import.`,
    );
    await importMaterial(keyId, randomBytes(32));
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    await expectAwsError(encrypt(), 'DisabledException', `${arn} is disabled.`);
    await kms.send(new EnableKeyCommand({ KeyId: keyId }));
    await expect(encrypt()).resolves.toMatchObject({ KeyId: arn });
  });

  it('re-enables a disabled key when material is imported into it', async () => {
    // Prepare
    const { keyId } = await createExternalKey();
    const material = randomBytes(32);
    await importMaterial(keyId, material);
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));

    // Act
    await importMaterial(keyId, material);

    // Assess
    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata).toMatchObject({ KeyState: 'Enabled', Enabled: true });
  });

  it('deletes imported material back to PendingImport and restores it, old ciphertext included', async () => {
    // Prepare
    const { keyId, arn } = await createExternalKey();
    const material = randomBytes(32);
    const { KeyMaterialId } = await importMaterial(keyId, material);
    const ciphertext = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('kept') })))
      .CiphertextBlob;

    // Act
    const deleted = await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
    const afterDelete = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    await importMaterial(keyId, material);
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: ciphertext }));

    // Assess
    expect(deleted).toMatchObject({ KeyId: arn, KeyMaterialId });
    expect(afterDelete).toMatchObject({
      KeyState: 'PendingImport',
      Enabled: false,
      CurrentKeyMaterialId: KeyMaterialId,
    });
    expect(afterDelete?.ExpirationModel).toBeUndefined();
    expect(Buffer.from(decrypted.Plaintext ?? []).toString()).toBe('kept');
  });

  it('resolves aliases where AWS does and refuses them for import operations', async () => {
    // Prepare
    const { keyId, arn } = await createExternalKey();
    await importMaterial(keyId, randomBytes(32));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/byok-test', TargetKeyId: keyId }));

    // Act
    const encrypted = await kms.send(
      new EncryptCommand({ KeyId: 'alias/byok-test', Plaintext: Buffer.from('x') }),
    );
    const aliases = await kms.send(new ListAliasesCommand({ KeyId: keyId }));

    // Assess
    expect(encrypted.KeyId).toBe(arn);
    expect(aliases.Aliases?.map((alias) => alias.AliasName)).toEqual(['alias/byok-test']);
    await expectAwsError(
      kms.send(
        new GetParametersForImportCommand({
          KeyId: 'alias/byok-test',
          WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
          WrappingKeySpec: 'RSA_2048',
        }),
      ),
      'NotFoundException',
      "Invalid keyId 'alias/byok-test'",
    );
    await expectAwsError(
      kms.send(new CreateAliasCommand({ AliasName: 'alias/byok-test', TargetKeyId: keyId })),
      'AlreadyExistsException',
    );
  });

  it('lists keys and manages tags', async () => {
    // Prepare
    const { keyId } = await createExternalKey({ Tags: [{ TagKey: 'byok:managed', TagValue: 'true' }] });

    // Act
    await kms.send(
      new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'byok:valid-for-days', TagValue: '30' }] }),
    );
    await kms.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ['byok:managed'] }));
    const tags = await kms.send(new ListResourceTagsCommand({ KeyId: keyId }));
    const keys = await kms.send(new ListKeysCommand({}));

    // Assess
    expect(tags.Tags).toEqual([{ TagKey: 'byok:valid-for-days', TagValue: '30' }]);
    expect(keys.Keys?.map((key) => key.KeyId)).toContain(keyId);
  });

  it('refuses import operations on an AWS_KMS key and unknown keys', async () => {
    // Prepare
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const missing = '00000000-0000-0000-0000-000000000000';

    // Act & Assess
    await expectAwsError(
      kms.send(
        new GetParametersForImportCommand({
          KeyId: KeyMetadata?.KeyId,
          WrappingAlgorithm: 'RSAES_OAEP_SHA_256',
          WrappingKeySpec: 'RSA_2048',
        }),
      ),
      'UnsupportedOperationException',
      `${KeyMetadata?.Arn} origin is AWS_KMS which is not valid for this operation.`,
    );
    expect(KeyMetadata?.CurrentKeyMaterialId).toMatch(/^[a-f0-9]{64}$/);
    await expectAwsError(
      kms.send(new DescribeKeyCommand({ KeyId: missing })),
      'NotFoundException',
      `Key 'arn:aws:kms:us-east-1:111122223333:key/${missing}' does not exist`,
    );
  });
});
