// Every material a symmetric KMS key holds, as ListKeyRotations (IncludeKeyMaterial
// ALL_KEY_MATERIAL) shows them: after an on-demand rotation a key holds several, and each
// permanently associated one (CURRENT, NON_CURRENT) must stay imported or the whole key goes to
// PendingImport. Asymmetric and HMAC keys hold one material, described by DescribeKey alone.
import type { KMSClient } from '@aws-sdk/client-kms';
import { listKeyRotations } from '../aws/paginate-kms.ts';
import { checkValueFromDescription, hsmKeyLabelFromDescription } from './key-material-description.ts';

export interface KeyMaterial {
  keyMaterialId: string;
  /** CURRENT | NON_CURRENT | PENDING_ROTATION | PENDING_MULTI_REGION_IMPORT_AND_ROTATION */
  state: string;
  /** IMPORTED | PENDING_IMPORT */
  importState: string;
  expirationModel: string | undefined;
  validTo: Date | undefined;
  description: string | undefined;
  /** The HSM key the description records (src/core/import/key-material-description.ts). */
  hsmKeyLabel: string | undefined;
  /** The AES key check value the description records, when it does. */
  checkValue: string | undefined;
}

const PERMANENT_STATES = new Set(['CURRENT', 'NON_CURRENT']);

/** CURRENT and NON_CURRENT material: what must stay imported. Pending material is a rotation's. */
export function isPermanentlyAssociated(material: Pick<KeyMaterial, 'state'>): boolean {
  return PERMANENT_STATES.has(material.state);
}

export async function listKeyMaterials(kms: KMSClient, keyId: string): Promise<KeyMaterial[]> {
  return (await listKeyRotations(kms, keyId)).flatMap((rotation) =>
    rotation.KeyMaterialId
      ? [
          {
            keyMaterialId: rotation.KeyMaterialId,
            state: rotation.KeyMaterialState ?? 'CURRENT',
            importState: rotation.ImportState ?? 'IMPORTED',
            expirationModel: rotation.ExpirationModel,
            validTo: rotation.ValidTo,
            description: rotation.KeyMaterialDescription,
            hsmKeyLabel: hsmKeyLabelFromDescription(rotation.KeyMaterialDescription),
            checkValue: checkValueFromDescription(rotation.KeyMaterialDescription),
          },
        ]
      : [],
  );
}
