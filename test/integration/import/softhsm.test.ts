import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportHarness, startImportHarness, statesEntered } from '../../helpers/import-harness.ts';

// SoftHSM2 2.6 wraps with SHA-1 only (its RSA-OAEP has no SHA-256): byok uses SHA-1 when it is
// named and refuses to pick it silently.
describe('import workflow on a SoftHSM2 token', () => {
  let harness: ImportHarness;

  beforeAll(async () => {
    harness = await startImportHarness({
      tokenKind: 'softhsm',
      keys: [
        { label: 'aes', type: 'AES_256' },
        { label: 'hmac', type: 'HMAC_256' },
      ],
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('refuses to choose SHA-1 wrapping on its own, before KMS hands out a token', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
    });

    // Act
    const result = await harness.run({ keyId, hsmKeyLabel: 'aes', validForDays: 30 });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('WrappingAlgorithmUnavailableError');
    expect(result.cause).toContain('SHA-1 only when you name it');
    expect(statesEntered(result)).toEqual([
      'StartImport',
      'GetParametersForImport',
      'FindFailedKeyId',
      'KeepFailedKeyId',
      'PublishFailed',
      'ImportFailed',
    ]);
    const described = await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata?.KeyState).toBe('PendingImport');
  });

  it.each([
    ['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', 'aes', 'encrypt-decrypt'],
    ['HMAC_256', 'GENERATE_VERIFY_MAC', 'hmac', 'mac-challenge'],
  ] as const)(
    'imports a %s key with RSAES_OAEP_SHA_1 when it is named',
    async (keySpec, keyUsage, label, method) => {
      // Prepare
      const keyId = await harness.createExternalKey({ keySpec, keyUsage, bind: [label] });

      // Act
      const result = await harness.run({
        keyId,
        hsmKeyLabel: label,
        validForDays: 30,
        wrappingAlgorithm: 'RSAES_OAEP_SHA_1',
      });

      // Assess
      expect(result.status, result.cause).toBe('SUCCEEDED');
      const output = result.output as {
        wrappingAlgorithm: string;
        evidence: { method: string; checks: Array<{ passed: boolean }> };
      };
      expect(output.wrappingAlgorithm).toBe('RSAES_OAEP_SHA_1');
      expect(output.evidence.method).toBe(method);
      expect(output.evidence.checks.every((check) => check.passed)).toBe(true);
    },
  );
});
