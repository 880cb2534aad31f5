// Creates an EXTERNAL KMS key tagged the way byok expects (byok:managed=true, and the HSM key that
// holds its material when given), so a workflow run needs only the key id, and records the binding
// of that HSM key to it on the local stack the client talks to, as an administrator would with
// `byok bindings add` (without a binding byok refuses to import: docs/bindings.md).
import {
  CreateKeyCommand,
  type KeySpec,
  type KeyUsageType,
  type KMSClient,
  type Tag,
} from '@aws-sdk/client-kms';
import { TAG_HSM_KEY_LABEL, TAG_MANAGED, TAG_MANAGED_VALUE } from '../../src/core/import/tags.ts';
import { bindOnLocalStack } from './bindings.ts';

export interface ManagedKeyOptions {
  keySpec?: KeySpec;
  keyUsage?: KeyUsageType;
  hsmKeyLabel?: string | undefined;
  tags?: Tag[];
  /** Also bind these HSM keys to the key (e.g. a label given only in the execution input). */
  bind?: readonly string[];
  /** Tag the key but record no binding (a key someone else tagged). Default: bind. */
  unbound?: boolean;
}

/** The URL the client sends to (the local stack's), as `byok bindings --endpoint` takes it. */
export async function endpointOf(kms: KMSClient): Promise<string> {
  const endpoint = await kms.config.endpoint?.();
  if (!endpoint) throw new Error('test setup: the KMS client has no endpoint (not a local stack)');
  const port = endpoint.port ? `:${endpoint.port}` : '';
  return `${endpoint.protocol}//${endpoint.hostname}${port}`;
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
  const keyArn = created.KeyMetadata?.Arn;
  if (!keyId || !keyArn) throw new Error('CreateKey returned no key id');
  const labels = [...(hsmKeyLabel ? [hsmKeyLabel] : []), ...(options.bind ?? [])];
  if (!options.unbound && labels.length > 0) {
    const endpoint = await endpointOf(kms);
    // The newest key gets the binding (an earlier test key of the same HSM key loses it).
    for (const label of labels) await bindOnLocalStack(endpoint, label, keyArn, { move: true });
  }
  return keyId;
}
