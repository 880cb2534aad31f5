// SHA-1 wrapping is used only when named (input or tag), and then it is said: a WARN entry names the
// algorithm and who named it. SHA-256 imports warn about nothing.
import {
  DescribeKeyCommand,
  GetParametersForImportCommand,
  KMSClient,
  ListResourceTagsCommand,
  type Tag,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { getParametersForImport } from '../../../src/import/get-parameters-for-import.ts';
import type { StepLogger } from '../../../src/import/logger.ts';
import { TAG_HSM_KEY_LABEL, TAG_WRAPPING_ALGORITHM } from '../../../src/import/tags.ts';

const kmsMock = mockClient(KMSClient);
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const clock = { now: () => new Date('2027-01-10T12:00:00.000Z') };

function recordingLogger() {
  const warnings: Array<{ message: string; extra: Record<string, unknown>[] }> = [];
  const logger: StepLogger = {
    debug: () => {},
    info: () => {},
    warn: (message, ...extra) => warnings.push({ message, extra }),
    error: () => {},
  };
  return { logger, warnings };
}

function kmsAnswers(tags: Tag[]) {
  kmsMock.on(DescribeKeyCommand).resolves({
    KeyMetadata: {
      KeyId: KEY_ID,
      Arn: KEY_ARN,
      Origin: 'EXTERNAL',
      KeyState: 'PendingImport',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
    },
  });
  kmsMock
    .on(ListResourceTagsCommand)
    .resolves({ Tags: [{ TagKey: TAG_HSM_KEY_LABEL, TagValue: 'aes' }, ...tags] });
  kmsMock.on(GetParametersForImportCommand).resolves({
    KeyId: KEY_ARN,
    ImportToken: new Uint8Array([1, 2, 3]),
    PublicKey: new Uint8Array([4, 5, 6]),
    ParametersValidTo: new Date('2027-01-11T12:00:00.000Z'),
  });
}

describe('SHA-1 wrapping is disclosed', () => {
  afterEach(() => {
    kmsMock.reset();
  });

  it.each([
    ['the execution input', { wrappingAlgorithm: 'RSAES_OAEP_SHA_1' }, [], 'execution input'],
    [
      'the key tag',
      {},
      [{ TagKey: TAG_WRAPPING_ALGORITHM, TagValue: 'RSAES_OAEP_SHA_1' }],
      `tag ${TAG_WRAPPING_ALGORITHM}`,
    ],
  ])('warns when %s names SHA-1', async (_where, request, tags, namedBy) => {
    // Prepare
    kmsAnswers(tags);
    const { logger, warnings } = recordingLogger();

    // Act
    const parameters = await getParametersForImport(
      { request: { keyId: KEY_ID, ...request }, importTokenAttempt: 1 },
      { kms: new KMSClient({}), clock, logger },
    );

    // Assess
    expect(parameters.wrappingAlgorithm).toMatch(/SHA_1$/);
    expect(warnings).toEqual([
      {
        message: 'SHA-1 wrapping in use because it was named for this import',
        extra: [{ keyId: KEY_ARN, wrappingAlgorithm: parameters.wrappingAlgorithm, namedBy }],
      },
    ]);
    expect(kmsMock.commandCalls(GetParametersForImportCommand)[0]?.args[0].input.WrappingAlgorithm).toBe(
      parameters.wrappingAlgorithm,
    );
  });

  it('warns about nothing with the default SHA-256 choice', async () => {
    // Prepare
    kmsAnswers([]);
    const { logger, warnings } = recordingLogger();

    // Act
    const parameters = await getParametersForImport(
      { request: { keyId: KEY_ID }, importTokenAttempt: 1 },
      { kms: new KMSClient({}), clock, logger },
    );

    // Assess
    expect(parameters.wrappingAlgorithm).toBe('RSAES_OAEP_SHA_256');
    expect(warnings).toEqual([]);
  });
});
