import { CreateKeyCommand, DescribeKeyCommand, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAG_VALID_FOR_DAYS } from '../../../src/core/import/tags.ts';
import { type ImportHarness, startImportHarness, statesEntered } from '../../helpers/import-harness.ts';

// Bad execution input is refused by the first step under a named error, with a failure event, and
// the KMS key is left exactly as it was (still PendingImport).
describe('import workflow, bad execution input refused early', () => {
  let harness: ImportHarness;
  let pendingKeyId: string;

  beforeAll(async () => {
    harness = await startImportHarness({
      keys: [
        { label: 'aes', type: 'AES_256' },
        { label: 'rsa', type: 'RSA_2048' },
      ],
    });
    pendingKeyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  async function expectRefused(input: unknown, error: string, causeIncludes: string, keyId?: string) {
    // Act
    const result = await harness.run(input);

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe(error);
    expect(result.cause).toContain(causeIncludes);
    const hasKeyId = typeof input === 'object' && input !== null && 'keyId' in input;
    expect(statesEntered(result)).toEqual([
      'StartImport',
      'GetParametersForImport',
      'FindFailedKeyId',
      hasKeyId ? 'KeepFailedKeyId' : 'NoFailedKeyId',
      'PublishFailed',
      'ImportFailed',
    ]);
    expect(result.publishedEvents.map((event) => (event.detail as { error: string }).error)).toEqual([error]);
    expect(result.publishedEvents[0]?.detail).toMatchObject({
      input: { keyId: hasKeyId ? (input as { keyId: unknown }).keyId : null },
    });
    if (keyId) {
      const described = await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
      expect(described.KeyMetadata?.KeyState).not.toBe('Enabled');
    }
  }

  it('refuses a key without the byok:managed tag, as the deployed IAM would', async () => {
    // Prepare
    const created = await harness.deps.kms.send(
      new CreateKeyCommand({ Origin: 'EXTERNAL', KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT' }),
    );
    const unmanagedKeyId = created.KeyMetadata?.KeyId as string;

    // Act + Assess
    await expectRefused(
      { keyId: unmanagedKeyId, hsmKeyLabel: 'aes', validForDays: 30 },
      'KeyNotManagedError',
      'byok:managed=true',
      unmanagedKeyId,
    );
  });

  it.each([
    ['an empty array', []],
    ['an array holding the request', [{ keyId: 'x' }]],
    ['null', null],
    ['a string', 'payments'],
    ['a number', 42],
    ['a boolean', true],
  ])(
    'refuses %s as the execution input with InvalidImportInputError, not States.Runtime',
    async (_name, input) => {
      await expectRefused(input, 'InvalidImportInputError', '(input): Invalid input: expected object');
    },
  );

  it('refuses input without a key id', async () => {
    await expectRefused({ hsmKeyLabel: 'aes' }, 'InvalidImportInputError', 'keyId');
  });

  it('refuses an alias', async () => {
    await expectRefused({ keyId: 'alias/payments' }, 'AliasNotAcceptedError', 'alias/payments');
  });

  it('refuses an alias ARN', async () => {
    await expectRefused(
      { keyId: 'arn:aws:kms:us-east-1:111122223333:alias/payments' },
      'AliasNotAcceptedError',
      'is an alias',
    );
  });

  it('refuses a key that does not exist', async () => {
    await expectRefused(
      { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', hsmKeyLabel: 'aes' },
      'KmsKeyNotFoundError',
      '1234abcd-12ab-34cd-56ef-1234567890ab',
    );
  });

  it('refuses a key whose origin is not EXTERNAL', async () => {
    const created = await harness.deps.kms.send(new CreateKeyCommand({}));
    await expectRefused(
      { keyId: created.KeyMetadata?.KeyId, hsmKeyLabel: 'aes' },
      'KeyOriginNotExternalError',
      'origin AWS_KMS',
    );
  });

  it('refuses a key pending deletion', async () => {
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
    });
    await harness.deps.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    await expectRefused({ keyId, hsmKeyLabel: 'aes' }, 'KeyPendingDeletionError', 'pending deletion', keyId);
  });

  it('refuses an HSM key whose type does not match the KMS key spec', async () => {
    const keyId = await harness.createExternalKey({ keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' });
    await expectRefused({ keyId, hsmKeyLabel: 'aes' }, 'KeySpecMismatchError', 'needs HMAC_256', keyId);
  });

  it('refuses a wrapping algorithm KMS does not allow for the key spec', async () => {
    const keyId = await harness.createExternalKey({ keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY' });
    await expectRefused(
      { keyId, hsmKeyLabel: 'rsa', wrappingAlgorithm: 'RSAES_OAEP_SHA_256' },
      'WrappingAlgorithmNotAllowedError',
      'RSAES_OAEP_SHA_256',
      keyId,
    );
  });

  it('refuses a ValidTo more than 365 days ahead', async () => {
    const validTo = new Date(harness.stack.clock.now().getTime() + 400 * 86_400_000).toISOString();
    await expectRefused(
      { keyId: pendingKeyId, hsmKeyLabel: 'aes', validTo },
      'ValidToOutOfRangeError',
      '365 days',
      pendingKeyId,
    );
  });

  it('refuses a ValidTo in the past', async () => {
    await expectRefused(
      { keyId: pendingKeyId, hsmKeyLabel: 'aes', validTo: '2020-01-01T00:00:00Z' },
      'ValidToOutOfRangeError',
      'not after now',
      pendingKeyId,
    );
  });

  it('refuses two expiry choices at once', async () => {
    await expectRefused(
      { keyId: pendingKeyId, hsmKeyLabel: 'aes', validForDays: 30, noExpiry: true },
      'InvalidImportInputError',
      'mutually exclusive',
      pendingKeyId,
    );
  });

  it('refuses unknown fields instead of ignoring a typo', async () => {
    await expectRefused(
      { keyId: pendingKeyId, hsmKeyLabel: 'aes', validForDay: 30 },
      'InvalidImportInputError',
      'unknown field(s) validForDay',
      pendingKeyId,
    );
  });

  it('refuses a key whose byok:valid-for-days tag is unusable', async () => {
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      hsmKeyLabel: 'aes',
      tags: [{ TagKey: TAG_VALID_FOR_DAYS, TagValue: '400' }],
      unbound: true,
    });
    await expectRefused({ keyId }, 'InvalidKeyTagError', 'byok:valid-for-days', keyId);
  });

  it('refuses a key with no HSM key label in the input or the tags', async () => {
    await expectRefused(
      { keyId: pendingKeyId },
      'HsmKeyLabelMissingError',
      'byok:hsm-key-label',
      pendingKeyId,
    );
  });
});
