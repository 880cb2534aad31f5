// KMS's list calls, every page, through the SDK's paginators (one place for this service). Each
// function uses one paginator, so a step's bundle (and the IAM its role gets, template.test.ts)
// reaches only the KMS operations of the functions it imports.
import {
  type AliasListEntry,
  type KMSClient,
  paginateListAliases,
  paginateListKeyRotations,
  paginateListKeys,
  paginateListResourceTags,
  type RotationsListEntry,
  type Tag,
} from '@aws-sdk/client-kms';

/** Every key id of the account and Region (ListKeys, 1000 a page). */
export async function listKeyIds(kms: KMSClient): Promise<string[]> {
  const ids: string[] = [];
  for await (const page of paginateListKeys({ client: kms, pageSize: 1000 }, {}))
    for (const key of page.Keys ?? []) if (key.KeyId) ids.push(key.KeyId);
  return ids;
}

/** Every alias of the account and Region (ListAliases, 100 a page). */
export async function listAliases(kms: KMSClient): Promise<AliasListEntry[]> {
  const aliases: AliasListEntry[] = [];
  for await (const page of paginateListAliases({ client: kms, pageSize: 100 }, {}))
    aliases.push(...(page.Aliases ?? []));
  return aliases;
}

/** Every tag of a key (ListResourceTags). */
export async function listResourceTags(kms: KMSClient, keyId: string): Promise<Tag[]> {
  const tags: Tag[] = [];
  for await (const page of paginateListResourceTags({ client: kms }, { KeyId: keyId }))
    tags.push(...(page.Tags ?? []));
  return tags;
}

/** Every material of a key: the first, the rotated-in and the pending ones (ListKeyRotations, ALL_KEY_MATERIAL). */
export async function listKeyRotations(kms: KMSClient, keyId: string): Promise<RotationsListEntry[]> {
  const rotations: RotationsListEntry[] = [];
  for await (const page of paginateListKeyRotations(
    { client: kms },
    { KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' },
  ))
    rotations.push(...(page.Rotations ?? []));
  return rotations;
}
