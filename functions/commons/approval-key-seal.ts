// The approvals API's seal: KMS GenerateMac (HMAC_SHA_256) with the key BYOK_APPROVALS_SEAL_KEY_ID.
// One KMS command per module, so only the approvals API's bundle (and role) holds GenerateMac.
import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { ApprovalKeyCapabilities } from '../../src/core/approvals/seals.ts';

export function kmsSeal(kms: KMSClient, keyId: string): Required<ApprovalKeyCapabilities>['seal'] {
  return async (payload) => {
    const { Mac } = await kms.send(
      new GenerateMacCommand({ KeyId: keyId, MacAlgorithm: 'HMAC_SHA_256', Message: Buffer.from(payload) }),
    );
    if (!Mac) throw new Error('GenerateMac returned no MAC');
    return Buffer.from(Mac).toString('base64');
  };
}
