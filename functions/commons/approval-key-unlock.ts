// The approvals API unlocks a stored task token to close the waiting task: KMS Decrypt under
// BYOK_APPROVALS_TOKEN_KEY_ID with the request id as encryption context (the only role allowed).
import { DecryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { ApprovalKeyCapabilities } from '../../src/core/approvals/seals.ts';

export function kmsUnlock(kms: KMSClient, keyId: string): Required<ApprovalKeyCapabilities>['unlock'] {
  return async (locked, requestId) => {
    if (!locked.startsWith('kms1:')) throw new TypeError('not a KMS-locked task token');
    const { Plaintext } = await kms.send(
      new DecryptCommand({
        KeyId: keyId,
        CiphertextBlob: Buffer.from(locked.slice('kms1:'.length), 'base64'),
        EncryptionContext: { 'byok:approval-request': requestId },
      }),
    );
    if (!Plaintext) throw new Error('Decrypt returned no plaintext');
    return Buffer.from(Plaintext).toString('utf8');
  };
}
