import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import {
  DescribeKeyCommand,
  GenerateMacCommand,
  GetPublicKeyCommand,
  KMSClient,
  SignCommand,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImportParameters, VerifyImportInput } from '../../../../src/core/import/contracts.ts';
import { VerificationFailedError } from '../../../../src/core/import/errors.ts';
import { silentLogger } from '../../../../src/core/import/logger.ts';
import { verifyImport } from '../../../../src/core/import/verify-import.ts';
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

describe('verifyImport', () => {
  afterEach(() => {
    kmsMock.reset();
  });

  it('passes when KMS computes the HSM MAC of the challenge', async () => {
    // Prepare
    enabledKey();
    kmsMock
      .on(GenerateMacCommand, { MacAlgorithm: 'HMAC_SHA_256' })
      .resolves({ Mac: createHmac('sha256', hmacKey).update(challenge).digest() });

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
  });

  it('throws VerificationFailedError when KMS holds other material', async () => {
    // Prepare
    enabledKey();
    kmsMock
      .on(GenerateMacCommand)
      .resolves({ Mac: createHmac('sha256', Buffer.alloc(32, 8)).update(challenge).digest() });

    // Act
    const act = verifyImport(hmacInput, { kms: new KMSClient({}), logger: silentLogger });

    // Assess
    await expect(act).rejects.toThrow(VerificationFailedError);
    await expect(act).rejects.toThrow('(mac-matches-hsm)');
  });

  it('throws VerificationFailedError when KMS reports another ValidTo', async () => {
    // Prepare
    enabledKey('2027-05-01T00:00:00.000Z');
    kmsMock
      .on(GenerateMacCommand)
      .resolves({ Mac: createHmac('sha256', hmacKey).update(challenge).digest() });

    // Act
    const act = verifyImport(hmacInput, { kms: new KMSClient({}), logger: silentLogger });

    // Assess
    await expect(act).rejects.toThrow('(valid-to)');
  });

  it('checks an EC signature from KMS against the HSM public key', async () => {
    // Prepare
    const hsmPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const otherPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const spki = hsmPair.publicKey.export({ format: 'der', type: 'spki' });
    enabledKey();
    kmsMock.on(GetPublicKeyCommand).resolves({ PublicKey: spki });
    kmsMock.on(SignCommand).callsFake((input: { Message: Uint8Array }) => ({
      Signature: sign('sha256', input.Message, otherPair.privateKey),
    }));
    const input: VerifyImportInput = {
      importParameters: parameters({
        keySpec: 'ECC_NIST_P256',
        keyUsage: 'SIGN_VERIFY',
        family: 'ECC',
        hsmKeyType: 'ECC_NIST_P256',
      }),
      hsmEvidence: { kind: 'public-key', spki: spki.toString('base64') },
      imported: { importedAt: '2027-01-10T12:00:00.000Z' },
    };

    // Act
    const act = verifyImport(input, { kms: new KMSClient({}), logger: silentLogger });

    // Assess: the public keys match but the signature was made by another key.
    await expect(act).rejects.toThrow('(kms-signature-verifies-with-hsm-public-key)');
    expect(kmsMock.commandCalls(SignCommand)[0]?.args[0].input.SigningAlgorithm).toBe('ECDSA_SHA_256');
  });
});
