import { createHmac, generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  KMSClient,
  KMSInvalidMacException,
  ListKeyRotationsCommand,
  SignCommand,
  VerifyMacCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImportParameters, VerifyImportInput } from '../../../../src/core/import/contracts.ts';
import { VerificationFailedError } from '../../../../src/core/import/errors.ts';
import { probeEncryptionContext } from '../../../../src/core/import/probe-context.ts';
import { verifyImport } from '../../../../src/core/import/verify-import.ts';
import { silentLogger } from '../../../../src/core/step-kernel/logger.ts';
import { hmacImportParameters } from '../../../helpers/import/import-parameters.ts';

const kmsMock = mockClient(KMSClient);
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const VALID_TO = '2027-04-01T00:00:00.000Z';

function parameters(overrides: Partial<ImportParameters>): ImportParameters {
  return hmacImportParameters({ expirationModel: 'KEY_MATERIAL_EXPIRES', validTo: VALID_TO, ...overrides });
}

function enabledKey(validTo = VALID_TO) {
  kmsMock.on(DescribeKeyCommand).resolves({
    KeyMetadata: {
      KeyId: 'k',
      Arn: KEY_ARN,
      KeyState: 'Enabled',
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: new Date(validTo),
    },
  });
}

const hmacKey = Buffer.alloc(32, 7);
const challenge = Buffer.alloc(32, 1);
const hmacInput: VerifyImportInput = {
  importParameters: parameters({}),
  hsmEvidence: {
    kind: 'hmac',
    macAlgorithm: 'HMAC_SHA_256',
    challenge: challenge.toString('base64'),
    mac: createHmac('sha256', hmacKey).update(challenge).digest('base64'),
  },
  imported: { importedAt: '2027-01-10T12:00:00.000Z' },
};

/** KMS's VerifyMac as AWS answers it: MacValid true, or KMSInvalidMacException. */
function kmsHoldsHmacKey(key: Buffer) {
  kmsMock.on(VerifyMacCommand).callsFake((input: { Message: Uint8Array; Mac: Uint8Array }) => {
    const mac = createHmac('sha256', key).update(input.Message).digest();
    if (mac.length !== input.Mac.length || !timingSafeEqual(mac, input.Mac)) {
      throw new KMSInvalidMacException({ message: 'Invalid MAC', $metadata: {} });
    }
    return { MacValid: true, MacAlgorithm: 'HMAC_SHA_256' };
  });
}

describe('verifyImport', () => {
  afterEach(() => {
    kmsMock.reset();
  });

  it("passes when KMS VerifyMac accepts the HSM's MAC of the challenge, and never asks KMS for a MAC", async () => {
    // Prepare
    enabledKey();
    kmsHoldsHmacKey(hmacKey);

    // Act
    const result = await verifyImport(hmacInput, { kms: new KMSClient({}), logger: silentLogger });

    // Assess
    expect(result.evidence.method).toBe('mac-challenge');
    expect(result.evidence.checks.map((check) => [check.name, check.passed])).toEqual([
      ['mac-matches-hsm', true],
      ['key-enabled', true],
      ['expiration-model', true],
      ['valid-to', true],
    ]);
    expect(kmsMock.commandCalls(VerifyMacCommand)[0]?.args[0].input).toMatchObject({
      KeyId: KEY_ARN,
      MacAlgorithm: 'HMAC_SHA_256',
    });
    expect(kmsMock.commandCalls(GenerateMacCommand)).toEqual([]);
  });

  it('throws VerificationFailedError when KMS holds other material', async () => {
    // Prepare
    enabledKey();
    kmsHoldsHmacKey(Buffer.alloc(32, 8));

    // Act
    const act = verifyImport(hmacInput, { kms: new KMSClient({}), logger: silentLogger });

    // Assess
    await expect(act).rejects.toThrow(VerificationFailedError);
    await expect(act).rejects.toThrow('(mac-matches-hsm)');
  });

  it('throws VerificationFailedError when KMS reports another ValidTo', async () => {
    // Prepare
    enabledKey('2027-05-01T00:00:00.000Z');
    kmsHoldsHmacKey(hmacKey);

    // Act
    const act = verifyImport(hmacInput, { kms: new KMSClient({}), logger: silentLogger });

    // Assess
    await expect(act).rejects.toThrow('(valid-to)');
  });

  it.each([
    ['ECC_NIST_P256', 'SIGN_VERIFY', 'ECC'],
    ['RSA_2048', 'SIGN_VERIFY', 'RSA'],
    ['RSA_2048', 'ENCRYPT_DECRYPT', 'RSA'],
  ] as const)(
    'proves a %s %s key by the public key KMS derives, without signing or decrypting with it',
    async (keySpec, keyUsage, family) => {
      // Prepare
      const hsmPair =
        family === 'ECC'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('rsa', { modulusLength: 2048 });
      const spki = hsmPair.publicKey.export({ format: 'der', type: 'spki' });
      enabledKey();
      kmsMock.on(GetPublicKeyCommand).resolves({ PublicKey: spki });
      const input: VerifyImportInput = {
        importParameters: parameters({ keySpec, keyUsage, family, hsmKeyType: keySpec }),
        hsmEvidence: { kind: 'public-key', spki: spki.toString('base64') },
        imported: { importedAt: '2027-01-10T12:00:00.000Z' },
      };

      // Act
      const result = await verifyImport(input, { kms: new KMSClient({}), logger: silentLogger });

      // Assess
      expect(result.evidence.method).toBe('public-key');
      expect(result.evidence.checks[0]).toMatchObject({ name: 'public-key-matches-hsm', passed: true });
      expect(kmsMock.commandCalls(SignCommand)).toEqual([]);
      expect(kmsMock.commandCalls(DecryptCommand)).toEqual([]);
    },
  );

  it('throws VerificationFailedError when the public key KMS derives is not the HSM one', async () => {
    // Prepare
    const hsmPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const otherPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    enabledKey();
    kmsMock
      .on(GetPublicKeyCommand)
      .resolves({ PublicKey: otherPair.publicKey.export({ format: 'der', type: 'spki' }) });
    const input: VerifyImportInput = {
      importParameters: parameters({
        keySpec: 'ECC_NIST_P256',
        keyUsage: 'SIGN_VERIFY',
        family: 'ECC',
        hsmKeyType: 'ECC_NIST_P256',
      }),
      hsmEvidence: {
        kind: 'public-key',
        spki: hsmPair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      },
      imported: { importedAt: '2027-01-10T12:00:00.000Z' },
    };

    // Act
    const act = verifyImport(input, { kms: new KMSClient({}), logger: silentLogger });

    // Assess
    await expect(act).rejects.toThrow('(public-key-matches-hsm)');
  });

  it("round-trips a symmetric key's challenge under byok's probe encryption context only", async () => {
    // Prepare
    const materialId = 'a'.repeat(64);
    kmsMock.on(DescribeKeyCommand).resolves({
      KeyMetadata: {
        KeyId: 'k',
        Arn: KEY_ARN,
        KeyState: 'Enabled',
        CurrentKeyMaterialId: materialId,
      },
    });
    kmsMock.on(ListKeyRotationsCommand).resolves({
      Rotations: [
        {
          KeyMaterialId: materialId,
          ImportState: 'IMPORTED',
          KeyMaterialState: 'CURRENT',
          ExpirationModel: 'KEY_MATERIAL_EXPIRES',
          ValidTo: new Date(VALID_TO),
        },
      ],
    });
    kmsMock.on(EncryptCommand).callsFake((input: { Plaintext: Uint8Array }) => ({
      CiphertextBlob: Buffer.concat([Buffer.from('sealed:'), Buffer.from(input.Plaintext)]),
    }));
    kmsMock.on(DecryptCommand).callsFake((input: { CiphertextBlob: Uint8Array }) => ({
      KeyId: KEY_ARN,
      Plaintext: Buffer.from(input.CiphertextBlob).subarray('sealed:'.length),
    }));
    const input: VerifyImportInput = {
      importParameters: parameters({
        keyId: KEY_ARN,
        keySpec: 'SYMMETRIC_DEFAULT',
        keyUsage: 'ENCRYPT_DECRYPT',
        family: 'SYMMETRIC',
        hsmKeyType: 'AES_256',
        importType: 'EXISTING_KEY_MATERIAL',
      }),
      hsmEvidence: { kind: 'aes-kcv', kcv: '000000' },
      imported: { importedAt: '2027-01-10T12:00:00.000Z', keyMaterialId: materialId },
    };

    // Act
    const result = await verifyImport(input, { kms: new KMSClient({}), logger: silentLogger });

    // Assess
    expect(result.evidence.method).toBe('encrypt-decrypt');
    expect(kmsMock.commandCalls(EncryptCommand)[0]?.args[0].input.EncryptionContext).toEqual(
      probeEncryptionContext(),
    );
    expect(kmsMock.commandCalls(DecryptCommand)[0]?.args[0].input.EncryptionContext).toEqual(
      probeEncryptionContext(),
    );
  });
});
