import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decorateWrapKey,
  type ImportHarness,
  startImportHarness,
  statesEntered,
} from '../../helpers/import-harness.ts';

const DAY_AND_AN_HOUR_MS = 25 * 60 * 60 * 1000;

describe('import workflow, import token expiring mid-run', () => {
  let harness: ImportHarness;
  // How many of the next wraps move the virtual clock 25 h forward (between GetParametersForImport
  // and ImportKeyMaterial), as if the run had stalled for a day.
  let stallsLeft = 0;

  beforeAll(async () => {
    harness = await startImportHarness({
      keys: [
        { label: 'aes', type: 'AES_256' },
        { label: 'hmac', type: 'HMAC_384' },
      ],
      decorate: decorateWrapKey(async (input, wrapKey) => {
        const wrapped = await wrapKey(input);
        if (stallsLeft > 0) {
          stallsLeft -= 1;
          await harness.stack.clock.advance(DAY_AND_AN_HOUR_MS);
        }
        return wrapped;
      }),
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('gets fresh parameters, wraps again and imports when the token expired before ImportKeyMaterial', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      bind: ['aes'],
    });
    stallsLeft = 1;

    // Act
    const result = await harness.run({ keyId, hsmKeyLabel: 'aes', validForDays: 30 });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(statesEntered(result)).toEqual([
      'StartImport',
      'GetParametersForImport',
      'WrapKeyMaterial',
      'ImportKeyMaterial',
      'CanRenewImportToken',
      'RenewImportToken',
      'GetParametersForImport',
      'WrapKeyMaterial',
      'ImportKeyMaterial',
      'VerifyImport',
      'HasReplicas',
      'PublishSucceeded',
      'ImportSucceeded',
    ]);
    const failed = result.events.find((event) => event.type === 'StateFailed') as unknown as {
      Error: string;
    };
    expect(failed.Error).toBe('ExpiredImportTokenException');
    expect((result.output as { importTokenAttempts: number }).importTokenAttempts).toBe(2);
    const described = await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata?.KeyState).toBe('Enabled');
  });

  it('gives up after three import tokens with ExpiredImportTokenException and a failure event', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'HMAC_384',
      keyUsage: 'GENERATE_VERIFY_MAC',
      bind: ['hmac'],
    });
    stallsLeft = 3;

    // Act
    const result = await harness.run({ keyId, hsmKeyLabel: 'hmac', validForDays: 30 });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ExpiredImportTokenException');
    expect(statesEntered(result).filter((name) => name === 'GetParametersForImport')).toHaveLength(3);
    expect(statesEntered(result).slice(-4)).toEqual([
      'FindFailedKeyId',
      'KeepFailedKeyId',
      'PublishFailed',
      'ImportFailed',
    ]);
    expect(result.publishedEvents).toHaveLength(1);
    expect(result.publishedEvents[0]).toMatchObject({
      source: 'byok',
      detailType: 'byok Key Material Import Failed',
      detail: { error: 'ExpiredImportTokenException', input: { keyId } },
    });
    const described = await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata?.KeyState).toBe('PendingImport');
  });
});
