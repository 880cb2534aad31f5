// Finds the keys byok manages (KMS tags, see src/core/import/tags.ts) and reads what the sweep and
// `byok status` need about each: state, ValidTo, the tags' import defaults, and every material in
// every Region (src/core/sweep/key-materials.ts). What KMS reports (DescribeKey, ListKeyRotations) is
// the source of truth for "due", never a date byok wrote down itself. Multi-Region replicas are
// reached through their primary (whose byok tags rule), not listed on their own.
import { DescribeKeyCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import { listKeyIds, listResourceTags } from '../aws/paginate-kms.ts';
import { readTagDefaults } from '../import/key-tags.ts';
import type { RegionalKmsDeps } from '../import/regional-kms.ts';
import { TAG_MANAGED, TAG_MANAGED_VALUE } from '../import/tags.ts';
import type { SkippedKey } from './contracts.ts';
import { type MaterialUnit, scanKeyMaterials } from './key-materials.ts';

export interface ManagedKey {
  keyId: string;
  keyArn: string;
  keySpec: string;
  keyState: string;
  /** The key's KMS description (how people know the key, with its aliases). */
  description?: string | undefined;
  expirationModel: string | undefined;
  validTo: Date | undefined;
  hsmKeyLabel: string | undefined;
  validForDays: number | 'none' | undefined;
  /** Every permanently associated material in every Region (the primary's first). */
  materials: MaterialUnit[];
}

export interface ManagedKeyScan {
  keys: ManagedKey[];
  /** Managed keys whose tags cannot be read as import defaults. */
  unreadable: SkippedKey[];
}

/** How many keys are described at once: far below DescribeKey's and ListResourceTags' quotas. */
const DESCRIBE_CONCURRENCY = 8;

export async function scanManagedKeys(deps: RegionalKmsDeps): Promise<ManagedKeyScan> {
  const { kms } = deps;
  const keyIds = await listKeyIds(kms);
  const keys: ManagedKey[] = [];
  const unreadable: SkippedKey[] = [];
  await forEachBounded(keyIds, DESCRIBE_CONCURRENCY, async (keyId) => {
    const metadata = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    // Only customer-managed EXTERNAL keys can hold imported material; other keys are never ours.
    if (metadata?.Origin !== 'EXTERNAL' || metadata.KeyManager === 'AWS') return;
    if (metadata.MultiRegionConfiguration?.MultiRegionKeyType === 'REPLICA') return;
    const tags = await listResourceTags(kms, keyId);
    if (!tags.some((tag) => tag.TagKey === TAG_MANAGED && tag.TagValue === TAG_MANAGED_VALUE)) return;
    try {
      const defaults = readTagDefaults(tags);
      const materials = await scanKeyMaterials(deps, {
        keyId,
        keyArn: metadata.Arn ?? keyId,
        metadata,
        tagHsmKeyLabel: defaults.hsmKeyLabel,
      });
      keys.push(toManagedKey(keyId, metadata, defaults.hsmKeyLabel, defaults.validForDays, materials));
    } catch (error) {
      unreadable.push({
        keyId,
        why: error instanceof Error ? error.message : String(error),
        error: error instanceof Error ? error.name : 'Error',
      });
    }
  });
  keys.sort((a, b) => a.keyId.localeCompare(b.keyId));
  unreadable.sort((a, b) => a.keyId.localeCompare(b.keyId));
  return { keys, unreadable };
}

function toManagedKey(
  keyId: string,
  metadata: KeyMetadata,
  hsmKeyLabel: string | undefined,
  validForDays: number | 'none' | undefined,
  materials: MaterialUnit[],
): ManagedKey {
  return {
    keyId,
    keyArn: metadata.Arn ?? keyId,
    keySpec: metadata.KeySpec ?? 'UNKNOWN',
    keyState: metadata.KeyState ?? 'Unknown',
    description: metadata.Description || undefined,
    expirationModel: metadata.ExpirationModel,
    validTo: metadata.ValidTo,
    hsmKeyLabel,
    validForDays,
    materials,
  };
}

async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
