import { DescribeKeyCommand, ImportKeyMaterialCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { MissingEnvironmentVariableError } from '../../../functions/commons/env.ts';
import { hsmConfigFromEnv, tokenWrappingAlgorithmsFromEnv } from '../../../functions/commons/lambda-deps.ts';
import { createHandler as createGetParametersHandler } from '../../../functions/get-parameters-for-import.ts';
import { createHandler as createImportHandler } from '../../../functions/import-key-material.ts';
import { InvalidImportInputError } from '../../../src/core/import/errors.ts';
import { redactSecrets } from '../../../src/core/shared/logger.ts';
import { MemoryBindingsStore } from '../../helpers/bindings.ts';
import { collectingLogger } from '../../helpers/logger.ts';

const kmsMock = mockClient(KMSClient);
const clock = { now: () => new Date('2027-01-10T12:00:00.000Z') };
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

const importParameters = {
  keyId: KEY_ARN,
  keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT',
  family: 'SYMMETRIC',
  hsmKeyLabel: 'aes',
  hsmKeyType: 'AES_256',
  wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
  wrappingKeySpec: 'RSA_4096',
  expirationModel: 'KEY_MATERIAL_EXPIRES',
  validTo: '2027-04-10T12:00:00.000Z',
  importToken: 'AQID',
  wrappingPublicKey: 'BAUG',
  parametersValidTo: '2027-01-11T12:00:00.000Z',
  importTokenAttempt: 1,
};

describe('function handlers', () => {
  afterEach(() => {
    kmsMock.reset();
  });

  it('refuses a state input that does not match its schema before calling KMS', async () => {
    // Prepare
    const { logger } = collectingLogger();
    const handler = createImportHandler({ kms: new KMSClient({}), clock, logger });

    // Act
    const act = handler({
      importParameters: { ...importParameters, importToken: 'not base64!' },
      wrappedKeyMaterial: 'AA==',
    });

    // Assess
    await expect(act).rejects.toThrow(InvalidImportInputError);
    await expect(act).rejects.toThrow('importParameters.importToken');
    expect(kmsMock.calls()).toHaveLength(0);
  });

  it('imports with the token, blob and expiry of the payload and logs JSON lines with the execution and key ids', async () => {
    // Prepare
    const { logger, lines } = collectingLogger();
    kmsMock.on(ImportKeyMaterialCommand).resolves({ KeyId: KEY_ARN, KeyMaterialId: 'ab'.repeat(32) });
    const handler = createImportHandler({ kms: new KMSClient({}), clock, logger });

    // Act
    const output = await handler({
      importParameters,
      wrappedKeyMaterial: 'BwgJ',
      executionId: 'arn:aws:states:us-east-1:111122223333:execution:import-key-material:run-1',
    });

    // Assess
    expect(output).toEqual({ keyMaterialId: 'ab'.repeat(32), importedAt: '2027-01-10T12:00:00.000Z' });
    const sent = kmsMock.commandCalls(ImportKeyMaterialCommand)[0]?.args[0].input;
    expect(sent).toMatchObject({
      KeyId: KEY_ARN,
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: new Date('2027-04-10T12:00:00.000Z'),
    });
    expect(Buffer.from(sent?.ImportToken ?? []).toString('base64')).toBe('AQID');
    expect(Buffer.from(sent?.EncryptedKeyMaterial ?? []).toString('base64')).toBe('BwgJ');
    expect(sent).not.toHaveProperty('ImportType');
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.find((line) => line.message === 'key material imported')).toMatchObject({
      level: 'INFO',
      service: 'byok',
      step: 'ImportKeyMaterial',
      keyId: KEY_ARN,
      executionId: 'arn:aws:states:us-east-1:111122223333:execution:import-key-material:run-1',
    });
  });

  it('logs a failure by error name and message, then rethrows it unchanged', async () => {
    // Prepare
    const { logger, lines } = collectingLogger();
    kmsMock
      .on(DescribeKeyCommand)
      .rejects(Object.assign(new Error('rate exceeded'), { name: 'ThrottlingException' }));
    const handler = createGetParametersHandler({
      kms: new KMSClient({}),
      clock,
      logger,
      bindings: new MemoryBindingsStore(),
    });

    // Act
    const act = handler({ request: { keyId: KEY_ARN, hsmKeyLabel: 'aes' }, importTokenAttempt: 1 });

    // Assess
    await expect(act).rejects.toMatchObject({ name: 'ThrottlingException' });
    const failure = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.level === 'ERROR');
    expect(failure).toMatchObject({
      message: 'step failed',
      errorName: 'ThrottlingException',
      keyId: KEY_ARN,
    });
  });
});

describe('redactSecrets', () => {
  it('redacts fields named like secrets and keeps public ids', () => {
    // Act
    const text = JSON.stringify(
      {
        plaintext: 'x',
        pin: '1234',
        keyMaterial: 'y',
        wrappedKeyMaterial: 'AQID',
        keyMaterialId: 'ab',
        bytes: new Uint8Array(3),
      },
      redactSecrets,
    );

    // Assess
    expect(JSON.parse(text)).toEqual({
      plaintext: '[redacted]',
      pin: '[redacted]',
      keyMaterial: '[redacted]',
      wrappedKeyMaterial: 'AQID',
      keyMaterialId: 'ab',
      bytes: '[3 bytes]',
    });
  });
});

describe('Lambda environment', () => {
  it('throws MissingEnvironmentVariableError naming the variable', () => {
    // Act
    const read = () => hsmConfigFromEnv({ BYOK_PKCS11_LIBRARY: '/opt/lib.so' });

    // Assess
    expect(read).toThrow(MissingEnvironmentVariableError);
    expect(read).toThrow('BYOK_HSM_TOKEN_LABEL');
  });

  it('reads the token wrapping algorithms and refuses unknown names', () => {
    // Act
    const known = tokenWrappingAlgorithmsFromEnv({
      BYOK_TOKEN_WRAPPING_ALGORITHMS: 'RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_256',
    });
    const unknown = () =>
      tokenWrappingAlgorithmsFromEnv({ BYOK_TOKEN_WRAPPING_ALGORITHMS: 'RSAES_PKCS1_V1_5' });

    // Assess
    expect(known).toEqual(['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256']);
    expect(unknown).toThrow('RSAES_PKCS1_V1_5');
  });
});
