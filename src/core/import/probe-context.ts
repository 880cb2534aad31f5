// The encryption context of every ciphertext byok makes to prove a key works (VerifyImport's
// round trip and a replica's check, the rotation's probe). The roles and policies that may
// Encrypt or Decrypt with a managed key may do so only with exactly this context (IAM condition
// kms:EncryptionContext:byok:purpose and kms:EncryptionContextKeys, serverless.yml and
// deploy/access-policies.cjs): the bank's own ciphertexts, made without it or with their own,
// cannot be decrypted by any byok role, and nothing byok encrypts can pass for the bank's data.
export const PROBE_ENCRYPTION_CONTEXT_KEY = 'byok:purpose';
export const PROBE_ENCRYPTION_CONTEXT_VALUE = 'key-material-verification';

/** The context to send with every probe Encrypt and Decrypt (a fresh object each time). */
export function probeEncryptionContext(): Record<string, string> {
  return { [PROBE_ENCRYPTION_CONTEXT_KEY]: PROBE_ENCRYPTION_CONTEXT_VALUE };
}
