import { DescribeKeyCommand, ImportKeyMaterialCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { MissingEnvironmentVariableError } from '../../../functions/commons/env.ts';
import { hsmConfigFromEnv, tokenWrappingAlgorithmsFromEnv } from '../../../functions/commons/lambda-deps.ts';
import { createHandler as createGetParametersHandler } from '../../../functions/get-parameters-for-import.ts';
import { createHandler as createImportHandler } from '../../../functions/import-key-material.ts';
import { InvalidImportInputError } from '../../../src/core/import/errors.ts';
import { redactSecrets } from '../../../src/core/shared/logger.ts';
import { UnscheduledInvocationError } from '../../../src/core/step-kernel/errors.ts';
import { stepFunctionsScheduledInvocations } from '../../../src/lambda/scheduled-invocations.ts';
import { MemoryBindingsStore } from '../../helpers/bindings.ts';
import { collectingLogger } from '../../helpers/logger.ts';

const kmsMock = mockClient(KMSClient);
const sfnMock = mockClient(SFNClient);
const IMPORT_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:byok-dev-import-key-material';
const EXECUTION = 'arn:aws:states:us-east-1:111122223333:execution:byok-dev-import-key-material:run-1';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:111122223333:function:byok-dev-importKeyMaterial';
/** What the deployed function reads: the history of byok's executions, through the SFN client. */
const scheduledInvocations = stepFunctionsScheduledInvocations({
  sfn: new SFNClient({}),
  functionName: 'byok-dev-importKeyMaterial',
  stateMachineArns: [IMPORT_MACHINE],
});
/** The history of a running import execution that scheduled the function with `payload`. */
function scheduled(payload: unknown) {
  sfnMock.on(GetExecutionHistoryCommand, { executionArn: EXECUTION }).resolves({
    events: [
      {
        id: 12,
        type: 'LambdaFunctionScheduled',
        timestamp: new Date(),
        lambdaFunctionScheduledEventDetails: {
          resource: FUNCTION_ARN,
          input: JSON.stringify(payload),
          inputDetails: { truncated: false },
        },
      },
      { id: 1, type: 'ExecutionStarted', timestamp: new Date() },
    ],
  });
}
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
    sfnMock.reset();
  });

  it('refuses a state input that does not match its schema before calling KMS', async () => {
    // Prepare
    const { logger } = collectingLogger();
    const handler = createImportHandler({ kms: new KMSClient({}), clock, logger, scheduledInvocations });

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
    const payload = { importParameters, wrappedKeyMaterial: 'BwgJ', executionId: EXECUTION };
    scheduled(payload);
    const handler = createImportHandler({ kms: new KMSClient({}), clock, logger, scheduledInvocations });

    // Act
    const output = await handler(payload);

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
      executionId: EXECUTION,
    });
  });

  it('imports nothing when the execution did not schedule this payload: UnscheduledInvocationError before KMS', async () => {
    // Prepare: the execution scheduled the HSM's blob; the invoke carries another one.
    const { logger } = collectingLogger();
    scheduled({ importParameters, wrappedKeyMaterial: 'BwgJ', executionId: EXECUTION });
    const handler = createImportHandler({ kms: new KMSClient({}), clock, logger, scheduledInvocations });

    // Act
    const act = handler({ importParameters, wrappedKeyMaterial: 'CgsM', executionId: EXECUTION });

    // Assess
    await expect(act).rejects.toThrow(UnscheduledInvocationError);
    expect(kmsMock.calls()).toHaveLength(0);
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
