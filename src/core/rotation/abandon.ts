// A rotation that ends before RotateKeyOnDemand leaves nothing permanent in KMS: the new material,
// if it was imported, is still PENDING_ROTATION (or pending multi-Region import) and is deleted by
// its KeyMaterialId from the primary and every replica that holds it; the approval request is
// closed (EXPIRED on a timeout, CANCELLED on a failure; a rejection closed it already). The HSM key
// is destroyed next, by RetireRotationMaterial. The outcome names why, for the event.
import { DeleteImportedKeyMaterialCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { z } from 'zod';
import { RequestEndedError } from '../approvals/errors.ts';
import { APPROVAL_REJECTED_ERROR } from '../approvals/service.ts';
import type { AbandonedRotation, ImportedMaterialSchema, NewMaterial, RotationPlan } from './contracts.ts';
import { kmsFor, type RotationApprovalsDeps, type RotationKmsDeps } from './deps.ts';
import { listMaterials } from './materials.ts';

export type AbandonRotationDeps = RotationKmsDeps & RotationApprovalsDeps;

const REFUSALS = new Set([
  'InvalidRotationInputError',
  'RotationRequestNotRecordedError',
  'KeyNotRotatableError',
  'RotationLimitReachedError',
  'RotationPendingError',
  'NotApprovedError',
  'ApprovalsStoreUnavailableError',
]);
const DELETABLE_STATES = new Set(['PENDING_ROTATION', 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION']);

export function outcomeOf(error: string): AbandonedRotation['outcome'] {
  if (error === APPROVAL_REJECTED_ERROR) return 'REJECTED';
  if (error === 'States.Timeout' || error === 'States.HeartbeatTimeout') return 'EXPIRED';
  if (REFUSALS.has(error)) return 'REFUSED';
  return 'FAILED';
}

/** Deletes `keyMaterialId` from `keyArn` if it is there and still pending; true when deleted. */
async function deletePending(kms: KMSClient, keyArn: string, keyMaterialId: string): Promise<boolean> {
  const entry = (await listMaterials(kms, keyArn)).find(
    (candidate) => candidate.KeyMaterialId === keyMaterialId,
  );
  if (entry?.ImportState !== 'IMPORTED' || !DELETABLE_STATES.has(entry.KeyMaterialState ?? '')) {
    return false;
  }
  await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyArn, KeyMaterialId: keyMaterialId }));
  return true;
}

export async function abandonRotation(
  input: {
    request: unknown;
    rotation: RotationPlan | null;
    material: NewMaterial | null;
    newMaterial: z.infer<typeof ImportedMaterialSchema> | null;
    failure: { Error: string; Cause?: string | undefined };
  },
  deps: AbandonRotationDeps,
): Promise<AbandonedRotation> {
  const { rotation, material, newMaterial, failure } = input;
  const outcome = outcomeOf(failure.Error);
  const raw = (input.request ?? {}) as { requestId?: unknown; keyId?: unknown };
  let deletedKeyMaterialId: string | null = null;
  if (rotation && newMaterial) {
    // Replicas first: the primary's pending state depends on them.
    for (const replicaArn of rotation.replicaArns) {
      await deletePending(kmsFor(deps, replicaArn), replicaArn, newMaterial.keyMaterialId);
    }
    if (await deletePending(deps.kms, rotation.keyArn, newMaterial.keyMaterialId)) {
      deletedKeyMaterialId = newMaterial.keyMaterialId;
    }
  }
  // Only a validated plan closes its request: a forged execution must not end someone else's.
  if (rotation && deps.approvals) {
    try {
      await deps.approvals.end(
        rotation.requestId,
        outcome === 'EXPIRED' ? 'EXPIRED' : 'CANCELLED',
        `rotation ${outcome.toLowerCase()}: ${failure.Error}`,
      );
    } catch (error) {
      if (!(error instanceof RequestEndedError)) throw error;
    }
  }
  const abandoned: AbandonedRotation = {
    requestId: rotation?.requestId ?? (typeof raw.requestId === 'string' ? raw.requestId : null),
    keyId: rotation?.keyArn ?? (typeof raw.keyId === 'string' ? raw.keyId : null),
    outcome,
    error: failure.Error,
    cause: failure.Cause ?? '',
    deletedKeyMaterialId,
    hsmKeyLabel: material?.hsmKeyLabel ?? rotation?.newHsmKeyLabel ?? null,
  };
  deps.logger?.warn('rotation abandoned', { ...abandoned });
  return abandoned;
}
