// OpenApproval locks the task token before it is stored: KMS Encrypt under BYOK_APPROVALS_TOKEN_KEY_ID
// with the request id as encryption context. Only the approvals API's role may Decrypt it.
import { EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { ApprovalKeyCapabilities } from '../../src/core/approvals/seals.ts';

export const TOKEN_CONTEXT_KEY = 'byok:approval-request';

export function kmsLock(kms: KMSClient, keyId: string): Required<ApprovalKeyCapabilities>['lock'] {
  return async (taskToken, requestId) => {
    const { CiphertextBlob } = await kms.send(
      new EncryptCommand({
        KeyId: keyId,
        Plaintext: Buffer.from(taskToken),
        EncryptionContext: { [TOKEN_CONTEXT_KEY]: requestId },
      }),
    );
    if (!CiphertextBlob) throw new Error('Encrypt returned no ciphertext');
    return `kms1:${Buffer.from(CiphertextBlob).toString('base64')}`;
  };
}
