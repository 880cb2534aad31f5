// Before an HSM key made for a rotation is destroyed (RetireRotationMaterial, as a Lambda or in
// `byok worker`), KMS must show that no material of the key, in any of its Regions, came from it.
// A task naming the HSM key that now holds a rotated key's CURRENT material (an ambiguous
// ImportKeyMaterial or RotateKeyOnDemand that KMS committed after the state gave up, or a forged
// task) would otherwise destroy live material: the key goes PendingImport at ValidTo and what was
// encrypted after the rotation never decrypts again.
//
// The proof reads every material of the key (ListKeyRotations with ALL_KEY_MATERIAL, every page) in
// the key's Region and in every Region of its multi-Region set, and attributes each material to the
// HSM key its KeyMaterialDescription names (`byok:hsm-key:<label>`, see describeHsmKey). Replicas
// carry no descriptions (KMS keeps them on the primary only), so a replica's material is attributed
// through the primary's entry with the same KeyMaterialId. It refuses when:
//  - a material in any Region is described as coming from this HSM key (it is or was imported);
//  - a material cannot be attributed at all (no byok description, here or on the primary): it may
//    be this key's, and nothing proves otherwise;
//  - two different materials claim the same HSM key (a description that cannot be trusted);
//  - KMS cannot be read (the key, a Region, a page): no proof is no permission.
// A pending material that the abandoned rotation deleted is gone from the listing (KMS removes a
// deleted PENDING_ROTATION entry entirely), so the normal abandon path passes.
import {
  DescribeKeyCommand,
  type KeyMetadata,
  type KMSClient,
  type RotationsListEntry,
} from '@aws-sdk/client-kms';
import { listKeyRotations } from '../aws/paginate-kms.ts';
import { hsmKeyLabelFromDescription } from '../import/key-material-description.ts';
import { kmsForKey } from '../import/regional-kms.ts';
import { RotationMaterialInUseError, RotationMaterialUnprovenError } from './errors.ts';

export interface MaterialAbsenceDeps {
  /** The default Region's client (bare key ids). */
  kms: KMSClient;
  /** Clients of the other Regions of a multi-Region key; without it every call goes to `kms`. */
  kmsForRegion?: ((region: string) => KMSClient) | undefined;
}

/** What the proof saw: each Region of the key and how many materials KMS lists there. */
export interface MaterialAbsenceProof {
  keyArn: string;
  hsmKeyLabel: string;
  regions: Array<{ keyArn: string; materials: number }>;
}

/** The key and, for a multi-Region key, the primary and every replica: each ARN once. */
function keysOfSet(metadata: KeyMetadata): string[] {
  const own = metadata.Arn as string;
  const config = metadata.MultiRegionConfiguration;
  if (!metadata.MultiRegion || !config) return [own];
  const arns = [config.PrimaryKey?.Arn, ...(config.ReplicaKeys ?? []).map((replica) => replica.Arn)];
  return [...new Set([own, ...arns.filter((arn): arn is string => typeof arn === 'string')])];
}

async function read<T>(keyId: string, hsmKeyLabel: string, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    throw new RotationMaterialUnprovenError(hsmKeyLabel, keyId, `${what} failed (${name})`, { cause: error });
  }
}

/**
 * Proves that no material of `keyId` (ARN or key id), in any Region of its multi-Region set, was
 * imported from HSM key `hsmKeyLabel`; RotationMaterialInUseError or RotationMaterialUnprovenError
 * otherwise.
 */
export async function proveHsmKeyNeverImported(
  keyId: string,
  hsmKeyLabel: string,
  deps: MaterialAbsenceDeps,
): Promise<MaterialAbsenceProof> {
  const described = await read(keyId, hsmKeyLabel, 'DescribeKey', () =>
    kmsForKey(deps, keyId).send(new DescribeKeyCommand({ KeyId: keyId })),
  );
  const metadata = described.KeyMetadata;
  if (!metadata?.Arn) {
    throw new RotationMaterialUnprovenError(hsmKeyLabel, keyId, 'DescribeKey returned no key');
  }
  const keyArn = metadata.Arn;
  const primaryArn = metadata.MultiRegionConfiguration?.PrimaryKey?.Arn ?? keyArn;
  const listings: Array<{ keyArn: string; entries: RotationsListEntry[] }> = [];
  for (const arn of keysOfSet(metadata)) {
    const entries = await read(arn, hsmKeyLabel, `ListKeyRotations in ${arn}`, () =>
      listKeyRotations(kmsForKey(deps, arn), arn),
    );
    listings.push({ keyArn: arn, entries });
  }

  // Descriptions live on the primary: material id -> the HSM key its description names.
  const labelById = new Map<string, string>();
  for (const { keyArn: arn, entries } of listings) {
    for (const entry of entries) {
      const label = hsmKeyLabelFromDescription(entry.KeyMaterialDescription);
      if (!label || !entry.KeyMaterialId) continue;
      const known = labelById.get(entry.KeyMaterialId);
      if (known !== undefined && known !== label) {
        throw new RotationMaterialUnprovenError(
          hsmKeyLabel,
          arn,
          `material ${entry.KeyMaterialId} is described as coming from two HSM keys`,
        );
      }
      if (arn === primaryArn || known === undefined) labelById.set(entry.KeyMaterialId, label);
    }
  }
  const idsByLabel = new Map<string, Set<string>>();
  for (const { keyArn: arn, entries } of listings) {
    for (const entry of entries) {
      const id = entry.KeyMaterialId;
      const label =
        hsmKeyLabelFromDescription(entry.KeyMaterialDescription) ?? (id ? labelById.get(id) : undefined);
      if (label === hsmKeyLabel) {
        throw new RotationMaterialInUseError(hsmKeyLabel, arn, id, entry.KeyMaterialState);
      }
      if (label === undefined || id === undefined) {
        throw new RotationMaterialUnprovenError(
          hsmKeyLabel,
          arn,
          `material ${id ?? '(no id)'} names no HSM key (no byok:hsm-key description here or on the primary)`,
        );
      }
      const ids = idsByLabel.get(label) ?? new Set<string>();
      ids.add(id);
      idsByLabel.set(label, ids);
      if (ids.size > 1) {
        throw new RotationMaterialUnprovenError(
          hsmKeyLabel,
          arn,
          'two different materials are described as coming from the same HSM key',
        );
      }
    }
  }
  return {
    keyArn,
    hsmKeyLabel,
    regions: listings.map((listing) => ({ keyArn: listing.keyArn, materials: listing.entries.length })),
  };
}
