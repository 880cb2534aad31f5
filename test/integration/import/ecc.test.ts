import { createPublicKey, verify } from 'node:crypto';
import { SignCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportHarness, startImportHarness } from '../../helpers/import-harness.ts';

describe('import workflow, ECC keys (real ASL, local KMS endpoint, NSS token)', () => {
  let harness: ImportHarness;

  beforeAll(async () => {
    harness = await startImportHarness({
      keys: [
        { label: 'ec-256', type: 'ECC_NIST_P256' },
        { label: 'ec-384', type: 'ECC_NIST_P384' },
      ],
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it.each([
    ['ECC_NIST_P256', 'ec-256', 'ECDSA_SHA_256', 'sha256'],
    ['ECC_NIST_P384', 'ec-384', 'ECDSA_SHA_384', 'sha384'],
  ] as const)(
    'imports a %s signing key, proven by the public key KMS derives; KMS signatures verify with the HSM public key',
    async (keySpec, label, algorithm, digest) => {
      // Prepare
      const keyId = await harness.createExternalKey({ keySpec, keyUsage: 'SIGN_VERIFY', hsmKeyLabel: label });

      // Act
      const result = await harness.run({
        keyId,
        validTo: new Date(Date.now() + 10 * 86_400_000).toISOString(),
      });

      // Assess
      expect(result.status, result.cause).toBe('SUCCEEDED');
      const output = result.output as {
        evidence: { method: string; checks: Array<{ name: string; passed: boolean }> };
      };
      expect(output.evidence.method).toBe('public-key');
      expect(output.evidence.checks.every((check) => check.passed)).toBe(true);
      const hsmEvidence = await harness.token.hsm?.evidence(label);
      if (hsmEvidence?.kind !== 'public-key') throw new Error('expected public key evidence');
      const message = Buffer.from('signed by KMS after the import');
      const signed = await harness.deps.kms.send(
        new SignCommand({ KeyId: keyId, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm }),
      );
      const hsmPublicKey = createPublicKey({
        key: Buffer.from(hsmEvidence.spki),
        format: 'der',
        type: 'spki',
      });
      expect(verify(digest, message, hsmPublicKey, Buffer.from(signed.Signature ?? []))).toBe(true);
    },
  );
});
