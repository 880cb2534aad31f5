// The workflow's check of an approvals seal: KMS VerifyMac (HMAC_SHA_256) with the key
// BYOK_APPROVALS_SEAL_KEY_ID. A wrong or missing seal is false, never an exception.
import { type KMSClient, VerifyMacCommand } from '@aws-sdk/client-kms';
import type { ApprovalKeyCapabilities } from '../../src/core/approvals/seals.ts';

export function kmsVerify(kms: KMSClient, keyId: string): Required<ApprovalKeyCapabilities>['verify'] {
  return async (payload, seal) => {
    if (!seal) return false;
    try {
      const { MacValid } = await kms.send(
        new VerifyMacCommand({
          KeyId: keyId,
          MacAlgorithm: 'HMAC_SHA_256',
          Message: Buffer.from(payload),
          Mac: Buffer.from(seal, 'base64'),
        }),
      );
      return MacValid === true;
    } catch (error) {
      if ((error as { name?: string }).name === 'KMSInvalidMacException') return false;
      throw error;
    }
  };
}
