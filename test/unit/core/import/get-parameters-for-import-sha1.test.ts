// SHA-1 wrapping is used only when named (input or tag), and then it is said: a WARN entry names the
// algorithm and who named it. SHA-256 imports warn about nothing.
import {
  GetParametersForImportCommand,
  KMSClient,
  ListResourceTagsCommand,
  type Tag,
} from '@aws-sdk/client-kms';
import { afterEach, describe, expect, it } from 'vitest';
import { getParametersForImport } from '../../../../src/core/import/get-parameters-for-import.ts';
import { TAG_HSM_KEY_LABEL, TAG_WRAPPING_ALGORITHM } from '../../../../src/core/import/tags.ts';
import type { StepLogger } from '../../../../src/core/step-kernel/logger.ts';
import { MemoryBindingsStore } from '../../../helpers/bindings.ts';
import {
  describeKeyReturns,
  KEY_ARN,
  KEY_ID,
  kmsMock,
  MANAGED_TAG,
  parametersReturn,
} from '../../../helpers/import/kms-answers.ts';

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
  describeKeyReturns({});
  kmsMock
    .on(ListResourceTagsCommand)
    .resolves({ Tags: [MANAGED_TAG, { TagKey: TAG_HSM_KEY_LABEL, TagValue: 'aes' }, ...tags] });
  parametersReturn();
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
      {
        kms: new KMSClient({}),
        clock,
        logger,
        bindings: new MemoryBindingsStore([{ hsmKeyLabel: 'aes', keyArn: KEY_ARN }]),
      },
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
      {
        kms: new KMSClient({}),
        clock,
        logger,
        bindings: new MemoryBindingsStore([{ hsmKeyLabel: 'aes', keyArn: KEY_ARN }]),
      },
    );

    // Assess
    expect(parameters.wrappingAlgorithm).toBe('RSAES_OAEP_SHA_256');
    expect(warnings).toEqual([]);
  });
});
