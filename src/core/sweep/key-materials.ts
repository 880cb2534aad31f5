// The unit the sweep keeps imported: one material of one managed key in one Region. A rotated key
// holds several materials, each expiring on its own, and a multi-Region key holds a copy of each
// in every replica Region, with a ValidTo of its own; any one of them missing takes that Region's
// key down. So the sweep reads, for every managed key, each Region's permanently associated
// materials (ListKeyRotations ALL_KEY_MATERIAL for symmetric keys; asymmetric and HMAC keys hold
// one, described by DescribeKey), and which HSM key holds each (its KeyMaterialDescription, read
// on the primary where KMS keeps it; the byok:hsm-key-label tag for a key with a single material).
import { DescribeKeyCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import { isPermanentlyAssociated, type KeyMaterial, listKeyMaterials } from '../import/key-materials.ts';
import { kmsForKey, type RegionalKmsDeps, regionOfKeyArn } from '../import/regional-kms.ts';

export interface MaterialUnit {
  /** The key id (the same in every Region of a multi-Region key). */
  keyId: string;
  /** This Region's key ARN. */
  keyArn: string;
  region: string;
  /** PRIMARY or REPLICA for a multi-Region key, else SINGLE. */
  role: 'SINGLE' | 'PRIMARY' | 'REPLICA';
  /** This Region's key state. */
  keyState: string;
  /** Symmetric keys only: which material. */
  keyMaterialId: string | undefined;
  /** CURRENT or NON_CURRENT (symmetric keys); CURRENT for a key's only material. */
  materialState: string;
  /** IMPORTED or PENDING_IMPORT (expired, deleted or never imported in this Region). */
  importState: string;
  expirationModel: string | undefined;
  validTo: Date | undefined;
  /** The HSM key holding the material, when known. */
  hsmKeyLabel: string | undefined;
  /** Its AES key check value, as recorded on the primary with the material (when it is). */
  checkValue?: string | undefined;
}

/** What the scan of one managed key needs from its DescribeKey and tags. */
export interface MaterialScanKey {
  keyId: string;
  keyArn: string;
  metadata: KeyMetadata;
  /** byok:hsm-key-label: the HSM key of a key that holds a single material. */
  tagHsmKeyLabel: string | undefined;
}

/** Every Region's permanently associated materials of one managed (primary or single-Region) key. */
export async function scanKeyMaterials(deps: RegionalKmsDeps, key: MaterialScanKey): Promise<MaterialUnit[]> {
  const multiRegion = key.metadata.MultiRegion ? key.metadata.MultiRegionConfiguration : undefined;
  const regions: { arn: string; role: MaterialUnit['role']; metadata: KeyMetadata | undefined }[] = [
    { arn: key.keyArn, role: multiRegion ? 'PRIMARY' : 'SINGLE', metadata: key.metadata },
    ...(multiRegion?.ReplicaKeys ?? []).flatMap((replica) =>
      replica.Arn ? [{ arn: replica.Arn, role: 'REPLICA' as const, metadata: undefined }] : [],
    ),
  ];
  const symmetric = (key.metadata.KeySpec ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT';
  // Descriptions (which HSM key holds each material) are kept on the primary only.
  const primaryMaterials = symmetric ? await listKeyMaterials(kmsForKey(deps, key.keyArn), key.keyArn) : [];
  const units: MaterialUnit[] = [];
  for (const region of regions) {
    const kms = kmsForKey(deps, region.arn);
    const metadata =
      region.metadata ?? (await kms.send(new DescribeKeyCommand({ KeyId: region.arn }))).KeyMetadata;
    const keyState = metadata?.KeyState ?? 'Unknown';
    const base = {
      keyId: key.keyId,
      keyArn: region.arn,
      region: regionOfKeyArn(region.arn) ?? 'unknown',
      role: region.role,
      keyState,
    };
    if (!symmetric) {
      units.push({
        ...base,
        keyMaterialId: undefined,
        materialState: 'CURRENT',
        importState: keyState === 'PendingImport' ? 'PENDING_IMPORT' : 'IMPORTED',
        expirationModel: metadata?.ExpirationModel,
        validTo: metadata?.ValidTo,
        hsmKeyLabel: key.tagHsmKeyLabel,
      });
      continue;
    }
    const materials =
      region.role === 'REPLICA' ? await readableMaterials(deps, region.arn, keyState) : primaryMaterials;
    const associated = materials.filter(isPermanentlyAssociated);
    for (const material of associated) {
      units.push({
        ...base,
        keyMaterialId: material.keyMaterialId,
        materialState: material.state,
        importState: material.importState,
        expirationModel: material.expirationModel,
        validTo: material.validTo,
        hsmKeyLabel: labelOf(material.keyMaterialId, primaryMaterials, key.tagHsmKeyLabel),
        checkValue: primaryMaterials.find((primary) => primary.keyMaterialId === material.keyMaterialId)
          ?.checkValue,
      });
    }
  }
  return units;
}

/** A replica pending deletion (or otherwise unreadable) lists nothing; its key state says why. */
async function readableMaterials(
  deps: RegionalKmsDeps,
  arn: string,
  keyState: string,
): Promise<KeyMaterial[]> {
  if (keyState === 'PendingDeletion' || keyState === 'PendingReplicaDeletion') return [];
  return listKeyMaterials(kmsForKey(deps, arn), arn);
}

/** The HSM key of a material: its description on the primary, else the tag when it is the key's only one. */
function labelOf(
  keyMaterialId: string,
  primaryMaterials: readonly KeyMaterial[],
  tagHsmKeyLabel: string | undefined,
): string | undefined {
  const recorded = primaryMaterials.find((material) => material.keyMaterialId === keyMaterialId)?.hsmKeyLabel;
  if (recorded) return recorded;
  return primaryMaterials.filter(isPermanentlyAssociated).length <= 1 ? tagHsmKeyLabel : undefined;
}
