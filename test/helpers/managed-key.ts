// Creates an EXTERNAL KMS key tagged the way byok expects (byok:managed=true, and the HSM key that
// holds its material when given), so a workflow run needs only the key id.
import {
  CreateKeyCommand,
  type KeySpec,
  type KeyUsageType,
  type KMSClient,
  type Tag,
} from '@aws-sdk/client-kms';
import { TAG_HSM_KEY_LABEL, TAG_MANAGED, TAG_MANAGED_VALUE } from '../../src/core/import/tags.ts';

export interface ManagedKeyOptions {
  keySpec?: KeySpec;
  keyUsage?: KeyUsageType;
  hsmKeyLabel?: string | undefined;
  tags?: Tag[];
}

export async function createManagedExternalKey(
  kms: KMSClient,
  options: ManagedKeyOptions = {},
): Promise<string> {
  const { keySpec = 'SYMMETRIC_DEFAULT', keyUsage = 'ENCRYPT_DECRYPT', hsmKeyLabel, tags = [] } = options;
  const created = await kms.send(
    new CreateKeyCommand({
      Origin: 'EXTERNAL',
      KeySpec: keySpec,
      KeyUsage: keyUsage,
      Tags: [
        { TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE },
        ...(hsmKeyLabel ? [{ TagKey: TAG_HSM_KEY_LABEL, TagValue: hsmKeyLabel }] : []),
        ...tags,
      ],
    }),
  );
  const keyId = created.KeyMetadata?.KeyId;
  if (!keyId) throw new Error('CreateKey returned no key id');
  return keyId;
}
