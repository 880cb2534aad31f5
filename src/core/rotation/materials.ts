// Every material of a key as KMS lists it (ListKeyRotations with ALL_KEY_MATERIAL: the first, the
// rotated-in and the pending ones), page by page. Kept apart so each step's bundle reaches only the
// KMS commands it uses.
import { type KMSClient, ListKeyRotationsCommand, type RotationsListEntry } from '@aws-sdk/client-kms';

export async function listMaterials(kms: KMSClient, keyArn: string): Promise<RotationsListEntry[]> {
  const entries: RotationsListEntry[] = [];
  let marker: string | undefined;
  do {
    const page = await kms.send(
      new ListKeyRotationsCommand({ KeyId: keyArn, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Marker: marker }),
    );
    entries.push(...(page.Rotations ?? []));
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker);
  return entries;
}
