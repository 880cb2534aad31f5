// Acceptance 2: material wrapped in each real token imports into the local KMS endpoint (real HTTP,
// real @aws-sdk/client-kms) and works there: MAC equality for HMAC, signatures that verify against
// the token's public key, encrypt/decrypt for AES, and KMS accepting a reimport of the same
// material while refusing other material.
import { createVerify, randomBytes } from 'node:crypto';
import {
  CreateKeyCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetParametersForImportCommand,
  GetPublicKeyCommand,
  ImportKeyMaterialCommand,
  IncorrectKeyMaterialException,
  type KeySpec,
  type KeyUsageType,
  type KMSClient,
  SignCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient } from '../../../src/core/aws/clients.ts';
import { WrappingAlgorithmUnavailableError } from '../../../src/core/hsm/errors.ts';
import type { Pkcs11Hsm } from '../../../src/core/hsm/pkcs11-adapter.ts';
import type { HsmKeyType, WrappingAlgorithm } from '../../../src/core/hsm/port.ts';
import { allowedWrappings, chooseWrappingAlgorithm } from '../../../src/core/import/wrapping-algorithms.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';

const FAMILIES: Array<{ keySpec: KeySpec; keyUsage: KeyUsageType; type: HsmKeyType }> = [
  { keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', type: 'AES_256' },
  { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC', type: 'HMAC_256' },
  { keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY', type: 'RSA_2048' },
  { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY', type: 'ECC_NIST_P256' },
];

let stack: LocalStack;
let kms: KMSClient;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  kms = createKmsClient({ endpoint: stack.url, region: stack.region });
});

afterAll(async () => {
  kms?.destroy();
  await stack?.stop();
});

async function importFromToken(
  hsm: Pkcs11Hsm,
  family: (typeof FAMILIES)[number],
  label: string,
  algorithm: WrappingAlgorithm,
  keyId?: string,
): Promise<string> {
  const id =
    keyId ??
    (
      await kms.send(
        new CreateKeyCommand({ Origin: 'EXTERNAL', KeySpec: family.keySpec, KeyUsage: family.keyUsage }),
      )
    ).KeyMetadata?.KeyId;
  if (!id) throw new Error('CreateKey returned no KeyId');
  // RSA_2048 keeps the emulator's per-call key generation fast; the default (RSA_4096) is covered
  // by the unit tests of chooseWrappingAlgorithm and by hsm/wrap.test.ts.
  const { wrappingKeySpec } = chooseWrappingAlgorithm(family.keySpec, [algorithm], algorithm, 'RSA_2048');
  const parameters = await kms.send(
    new GetParametersForImportCommand({
      KeyId: id,
      WrappingAlgorithm: algorithm,
      WrappingKeySpec: wrappingKeySpec,
    }),
  );
  if (!parameters.PublicKey || !parameters.ImportToken) throw new Error('no import parameters');
  const { wrappedKeyMaterial } = await hsm.wrapKey({
    label,
    algorithm,
    wrappingPublicKey: parameters.PublicKey,
    expectedKeyType: family.type,
  });
  await kms.send(
    new ImportKeyMaterialCommand({
      KeyId: id,
      ImportToken: parameters.ImportToken,
      EncryptedKeyMaterial: wrappedKeyMaterial,
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    }),
  );
  return id;
}

async function assessWorks(hsm: Pkcs11Hsm, family: (typeof FAMILIES)[number], label: string, keyId: string) {
  const message = randomBytes(48);
  if (family.type === 'AES_256') {
    const encrypted = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: message }));
    const decrypted = await kms.send(
      new DecryptCommand({ KeyId: keyId, CiphertextBlob: encrypted.CiphertextBlob }),
    );
    expect(Buffer.from(decrypted.Plaintext ?? new Uint8Array())).toEqual(message);
    return;
  }
  const evidence = await hsm.evidence(label, message);
  if (evidence.kind === 'hmac') {
    const mac = await kms.send(
      new GenerateMacCommand({ KeyId: keyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }),
    );
    expect(Buffer.from(mac.Mac ?? new Uint8Array())).toEqual(Buffer.from(evidence.mac));
    return;
  }
  if (evidence.kind !== 'public-key') throw new Error('unexpected evidence');
  const publicKey = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  expect(Buffer.from(publicKey.PublicKey ?? new Uint8Array())).toEqual(Buffer.from(evidence.spki));
  const signingAlgorithm = family.type === 'RSA_2048' ? 'RSASSA_PKCS1_V1_5_SHA_256' : 'ECDSA_SHA_256';
  const signed = await kms.send(
    new SignCommand({
      KeyId: keyId,
      Message: message,
      MessageType: 'RAW',
      SigningAlgorithm: signingAlgorithm,
    }),
  );
  const verified = createVerify('sha256')
    .update(message)
    .verify(
      { key: Buffer.from(evidence.spki), format: 'der', type: 'spki' },
      Buffer.from(signed.Signature ?? new Uint8Array()),
    );
  expect(verified).toBe(true);
}

describe.each(['nss', 'softhsm'] as const)('import from %s into the local KMS endpoint', (kind) => {
  let token: TestToken;
  let hsm: Pkcs11Hsm;
  const cases: Array<{ family: (typeof FAMILIES)[number]; algorithm: WrappingAlgorithm }> = [];

  beforeAll(async () => {
    token = await createTestToken(kind, {
      keys: [
        ...FAMILIES.map((family) => ({ label: family.type, type: family.type })),
        { label: 'other-AES_256', type: 'AES_256' },
      ],
    });
    if (!token.hsm) throw new Error('token not open');
    hsm = token.hsm;
  });

  afterAll(async () => {
    await token?.cleanup();
  });

  it('imports every family with every algorithm both KMS and the token allow, and each key works', async () => {
    // Prepare
    for (const family of FAMILIES) {
      const tokenAlgorithms = await hsm.wrappingAlgorithms(family.type);
      for (const { wrappingAlgorithm } of allowedWrappings(family.keySpec)) {
        if (tokenAlgorithms.includes(wrappingAlgorithm)) cases.push({ family, algorithm: wrappingAlgorithm });
      }
    }

    // Act + Assess, one import per case
    for (const { family, algorithm } of cases) {
      const keyId = await importFromToken(hsm, family, family.type, algorithm);
      await assessWorks(hsm, family, family.type, keyId);
    }
    expect(cases.map((c) => `${c.family.type}/${c.algorithm}`)).toEqual(
      kind === 'nss'
        ? [
            'AES_256/RSAES_OAEP_SHA_256',
            'AES_256/RSAES_OAEP_SHA_1',
            'HMAC_256/RSAES_OAEP_SHA_256',
            'HMAC_256/RSAES_OAEP_SHA_1',
            'RSA_2048/RSA_AES_KEY_WRAP_SHA_256',
            'RSA_2048/RSA_AES_KEY_WRAP_SHA_1',
            'ECC_NIST_P256/RSAES_OAEP_SHA_256',
            'ECC_NIST_P256/RSA_AES_KEY_WRAP_SHA_256',
            'ECC_NIST_P256/RSAES_OAEP_SHA_1',
            'ECC_NIST_P256/RSA_AES_KEY_WRAP_SHA_1',
          ]
        : ['AES_256/RSAES_OAEP_SHA_1', 'HMAC_256/RSAES_OAEP_SHA_1'],
    );
  });

  it('lets KMS accept the same material again and refuse another key', async () => {
    // Prepare
    const family = FAMILIES[0];
    if (!family) throw new Error('no family');
    const algorithm: WrappingAlgorithm = kind === 'nss' ? 'RSAES_OAEP_SHA_256' : 'RSAES_OAEP_SHA_1';
    const keyId = await importFromToken(hsm, family, 'AES_256', algorithm);

    // Act
    const again = importFromToken(hsm, family, 'AES_256', algorithm, keyId);
    await expect(again).resolves.toBe(keyId);
    const other = importFromToken(hsm, family, 'other-AES_256', algorithm, keyId);

    // Assess
    await expect(other).rejects.toBeInstanceOf(IncorrectKeyMaterialException);
  });
});

describe('asymmetric keys on SoftHSM2', () => {
  it('are refused with a clear message instead of padded material', async () => {
    // Prepare
    const token = await createTestToken('softhsm', { keys: [{ label: 'ec', type: 'ECC_NIST_P256' }] });
    const act = async () => {
      if (!token.hsm) throw new Error('token not open');
      return chooseWrappingAlgorithm('ECC_NIST_P256', await token.hsm.wrappingAlgorithms('ECC_NIST_P256'));
    };

    try {
      // Act + Assess
      await expect(act()).rejects.toBeInstanceOf(WrappingAlgorithmUnavailableError);
      await expect(act()).rejects.toThrow(
        'no wrapping algorithm both KMS and the HSM token allow for a ECC_NIST_P256 key',
      );
    } finally {
      await token.cleanup();
    }
  });
});
