import {
  DescribeKeyCommand,
  GetParametersForImportCommand,
  KMSClient,
  ListResourceTagsCommand,
  NotFoundException,
} from '@aws-sdk/client-kms';
import { afterEach, describe, expect, it } from 'vitest';
import { HsmKeyNotFoundError } from '../../../../src/core/hsm/errors.ts';
import {
  KeyNotManagedError,
  KeyOriginNotExternalError,
  KeySpecMismatchError,
  KmsKeyNotFoundError,
} from '../../../../src/core/import/errors.ts';
import { getParametersForImport } from '../../../../src/core/import/get-parameters-for-import.ts';
import {
  TAG_HSM_KEY_LABEL,
  TAG_VALID_FOR_DAYS,
  TAG_WRAPPING_ALGORITHM,
} from '../../../../src/core/import/tags.ts';
import { silentLogger } from '../../../../src/core/step-kernel/logger.ts';
import { MemoryBindingsStore } from '../../../helpers/bindings.ts';
import { InMemoryHsm } from '../../../helpers/import/in-memory-hsm.ts';
import {
  describeKeyReturns,
  KEY_ARN,
  KEY_ID,
  kmsMock,
  MANAGED_TAG,
  parametersReturn,
} from '../../../helpers/import/kms-answers.ts';

const clock = { now: () => new Date('2027-01-10T12:00:00.000Z') };
/** Every label these tests name, bound by an administrator to the test key. */
const bindings = new MemoryBindingsStore(
  ['payments', 'other', 'x', 'aes', 'absent'].map((hsmKeyLabel) => ({ hsmKeyLabel, keyArn: KEY_ARN })),
);

describe('getParametersForImport', () => {
  afterEach(() => {
    kmsMock.reset();
  });

  it('takes the HSM key label, validity and wrapping algorithm from the key tags', async () => {
    // Prepare
    describeKeyReturns({});
    kmsMock.on(ListResourceTagsCommand).resolves({
      Tags: [
        MANAGED_TAG,
        { TagKey: TAG_HSM_KEY_LABEL, TagValue: 'payments' },
        { TagKey: TAG_VALID_FOR_DAYS, TagValue: '30' },
        { TagKey: TAG_WRAPPING_ALGORITHM, TagValue: 'RSAES_OAEP_SHA_1' },
      ],
    });
    parametersReturn();

    // Act
    const parameters = await getParametersForImport(
      { request: { keyId: KEY_ID }, importTokenAttempt: 1 },
      { kms: new KMSClient({}), clock, logger: silentLogger, bindings },
    );

    // Assess
    expect(parameters).toEqual({
      keyId: KEY_ARN,
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      family: 'SYMMETRIC',
      hsmKeyLabel: 'payments',
      hsmKeyType: 'AES_256',
      wrappingAlgorithm: 'RSAES_OAEP_SHA_1',
      wrappingKeySpec: 'RSA_4096',
      expirationModel: 'KEY_MATERIAL_EXPIRES',
      validTo: '2027-02-09T12:00:00.000Z',
      importToken: 'AQID',
      wrappingPublicKey: 'BAUG',
      parametersValidTo: '2027-01-11T12:00:00.000Z',
      importTokenAttempt: 1,
      region: 'us-east-1',
      importType: 'NEW_KEY_MATERIAL',
      keyMaterialDescription: 'byok:hsm-key:payments',
    });
    expect(kmsMock.commandCalls(GetParametersForImportCommand)[0]?.args[0].input).toEqual({
      KeyId: KEY_ARN,
      WrappingAlgorithm: 'RSAES_OAEP_SHA_1',
      WrappingKeySpec: 'RSA_4096',
    });
  });

  it('lets the input override the tags', async () => {
    // Prepare
    describeKeyReturns({});
    kmsMock.on(ListResourceTagsCommand).resolves({
      Tags: [
        MANAGED_TAG,
        { TagKey: TAG_HSM_KEY_LABEL, TagValue: 'payments' },
        { TagKey: TAG_VALID_FOR_DAYS, TagValue: '30' },
      ],
    });
    parametersReturn();

    // Act
    const parameters = await getParametersForImport(
      {
        request: { keyId: KEY_ARN, hsmKeyLabel: 'other', noExpiry: true, wrappingKeySpec: 'RSA_3072' },
        importTokenAttempt: 2,
      },
      { kms: new KMSClient({}), clock, logger: silentLogger, bindings },
    );

    // Assess
    expect(parameters).toMatchObject({
      hsmKeyLabel: 'other',
      expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
      wrappingKeySpec: 'RSA_3072',
      importTokenAttempt: 2,
    });
    expect(parameters.validTo).toBeUndefined();
  });

  it('throws KmsKeyNotFoundError for an unknown key and asks KMS for nothing else', async () => {
    // Prepare
    kmsMock.on(DescribeKeyCommand).rejects(new NotFoundException({ message: 'not found', $metadata: {} }));

    // Act
    const act = getParametersForImport(
      { request: { keyId: KEY_ID, hsmKeyLabel: 'x' }, importTokenAttempt: 1 },
      { kms: new KMSClient({}), clock, logger: silentLogger, bindings },
    );

    // Assess
    await expect(act).rejects.toThrow(KmsKeyNotFoundError);
    expect(kmsMock.commandCalls(GetParametersForImportCommand)).toHaveLength(0);
  });

  it('throws KeyOriginNotExternalError for a key with KMS-generated material', async () => {
    // Prepare
    describeKeyReturns({ Origin: 'AWS_KMS', KeyState: 'Enabled' });

    // Act
    const act = getParametersForImport(
      { request: { keyId: KEY_ID, hsmKeyLabel: 'x' }, importTokenAttempt: 1 },
      { kms: new KMSClient({}), clock, logger: silentLogger, bindings },
    );

    // Assess
    await expect(act).rejects.toThrow(KeyOriginNotExternalError);
    expect(kmsMock.commandCalls(GetParametersForImportCommand)).toHaveLength(0);
  });

  it('refuses a key without the byok:managed tag before asking KMS for a token', async () => {
    // Prepare
    describeKeyReturns({});
    kmsMock
      .on(ListResourceTagsCommand)
      .resolves({ Tags: [{ TagKey: TAG_HSM_KEY_LABEL, TagValue: 'payments' }] });

    // Act
    const act = getParametersForImport(
      { request: { keyId: KEY_ID, validForDays: 30 }, importTokenAttempt: 1 },
      { kms: new KMSClient({}), clock, logger: silentLogger, bindings },
    );

    // Assess
    await expect(act).rejects.toThrow(KeyNotManagedError);
    await expect(act).rejects.toThrow(/byok:managed=true/);
    expect(kmsMock.commandCalls(GetParametersForImportCommand)).toHaveLength(0);
  });

  it('checks the HSM key before asking KMS for a token when the HSM is at hand', async () => {
    // Prepare
    describeKeyReturns({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
    kmsMock.on(ListResourceTagsCommand).resolves({ Tags: [MANAGED_TAG] });
    const hsm = new InMemoryHsm([{ label: 'aes', type: 'AES_256' }]);

    // Act
    const mismatch = getParametersForImport(
      { request: { keyId: KEY_ID, hsmKeyLabel: 'aes' }, importTokenAttempt: 1 },
      { kms: new KMSClient({}), clock, logger: silentLogger, bindings, hsm },
    );
    const missing = getParametersForImport(
      { request: { keyId: KEY_ID, hsmKeyLabel: 'absent' }, importTokenAttempt: 1 },
      { kms: new KMSClient({}), clock, logger: silentLogger, bindings, hsm },
    );

    // Assess
    await expect(mismatch).rejects.toThrow(KeySpecMismatchError);
    await expect(missing).rejects.toThrow(HsmKeyNotFoundError);
    expect(kmsMock.commandCalls(GetParametersForImportCommand)).toHaveLength(0);
  });
});
