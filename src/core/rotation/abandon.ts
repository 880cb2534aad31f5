// A rotation that ends before RotateKeyOnDemand leaves nothing permanent in KMS: the new material,
// if it was imported, is still PENDING_ROTATION (or pending multi-Region import) and is deleted by
// its KeyMaterialId from every replica (best effort: a replica pending deletion must not keep the
// primary's pending material, which would block every later rotation) and then from the primary
// (always). When the import's answer was lost (ImportKeyMaterial timed out after KMS took it), the
// id is not known: the pending material is found by the HSM key its KeyMaterialDescription names.
// The request, when this execution serves it, records the outcome (EXPIRED on a timeout, CANCELLED
// otherwise; a rejection keeps REJECTED). The outcome is read from the stored request, not from the
// error alone: a SendTaskFailure sent with a stolen token naming ApprovalRejectedError is no
// rejection. The HSM key is destroyed next, by RetireRotationMaterial.
import {
  DeleteImportedKeyMaterialCommand,
  type KMSClient,
  type RotationsListEntry,
} from '@aws-sdk/client-kms';
import type { z } from 'zod';
import type { StoredRequest } from '../approvals/contracts.ts';
import { APPROVAL_REJECTED_ERROR } from '../approvals/service.ts';
import { listKeyRotations } from '../aws/paginate-kms.ts';
import { hsmKeyLabelFromDescription } from '../import/key-material-description.ts';
import {
  type AbandonedRotation,
  type ImportedMaterialSchema,
  type NewMaterial,
  RotationExecutionInputSchema,
  type RotationPlan,
} from './contracts.ts';
import { kmsFor, type RotationApprovalsDeps, type RotationKmsDeps } from './deps.ts';
import { servesRequest } from './serving-execution.ts';

export type AbandonRotationDeps = RotationKmsDeps & RotationApprovalsDeps;

const REFUSALS = new Set([
  'InvalidRotationInputError',
  'RotationRequestNotRecordedError',
  'KeyNotRotatableError',
  'RotationLimitReachedError',
  'RotationPendingError',
  'RotationMaterialNotProvenError',
  'NotApprovedError',
  'ApprovalsStoreUnavailableError',
]);
const DELETABLE_STATES = new Set(['PENDING_ROTATION', 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION']);
const TIMEOUTS = new Set(['States.Timeout', 'States.HeartbeatTimeout']);

/**
 * The outcome an error means. `storedStatus` is the request's status in the store: only a request
 * the approvals API recorded as REJECTED was rejected; ApprovalRejectedError without it is a
 * failure (someone closed the task with a token, not with a vote).
 */
export function outcomeOf(error: string, storedStatus?: string): AbandonedRotation['outcome'] {
  if (storedStatus === 'REJECTED') return 'REJECTED';
  if (TIMEOUTS.has(error)) return 'EXPIRED';
  if (error === APPROVAL_REJECTED_ERROR) return storedStatus === undefined ? 'REJECTED' : 'FAILED';
  if (REFUSALS.has(error)) return 'REFUSED';
  return 'FAILED';
}

function isPending(entry: RotationsListEntry | undefined): boolean {
  return entry?.ImportState === 'IMPORTED' && DELETABLE_STATES.has(entry.KeyMaterialState ?? '');
}

/** Deletes `keyMaterialId` from `keyArn` if it is there and still pending; true when deleted. */
async function deletePending(kms: KMSClient, keyArn: string, keyMaterialId: string): Promise<boolean> {
  const entry = (await listKeyRotations(kms, keyArn)).find(
    (candidate) => candidate.KeyMaterialId === keyMaterialId,
  );
  if (!isPending(entry)) return false;
  await kms.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyArn, KeyMaterialId: keyMaterialId }));
  return true;
}

/** The pending materials of the primary to delete: by id when known, else by the HSM key named. */
async function pendingIds(
  deps: AbandonRotationDeps,
  rotation: RotationPlan,
  material: NewMaterial | null,
  newMaterial: { keyMaterialId: string } | null,
): Promise<string[]> {
  if (newMaterial) return [newMaterial.keyMaterialId];
  if (!material) return [];
  // The import's answer may have been lost after KMS took it: find the material by its HSM key.
  return (await listKeyRotations(deps.kms, rotation.keyArn))
    .filter(
      (entry) =>
        isPending(entry) && hsmKeyLabelFromDescription(entry.KeyMaterialDescription) === material.hsmKeyLabel,
    )
    .map((entry) => entry.KeyMaterialId)
    .filter((id): id is string => typeof id === 'string');
}

/** The stored request this execution serves, or undefined (a forged or malformed execution). */
async function servedRequest(
  deps: AbandonRotationDeps,
  input: { request: unknown; rotation: RotationPlan | null; executionId?: string | undefined },
): Promise<StoredRequest | undefined> {
  const store = deps.approvals;
  if (!store) return undefined;
  const requestId =
    input.rotation?.requestId ?? RotationExecutionInputSchema.safeParse(input.request).data?.requestId;
  if (!requestId) return undefined;
  try {
    const stored = await store.get(requestId);
    if (input.rotation) return stored;
    const sealed = await store.sealedFacts(stored);
    return sealed.request && servesRequest(stored, input.executionId, sealed.execution) ? stored : undefined;
  } catch (error) {
    deps.logger?.warn('the approval request could not be read', {
      requestId,
      errorName: error instanceof Error ? error.name : 'Error',
    });
    return undefined;
  }
}

export async function abandonRotation(
  input: {
    request: unknown;
    rotation: RotationPlan | null;
    material: NewMaterial | null;
    newMaterial: z.infer<typeof ImportedMaterialSchema> | null;
    failure: { Error: string; Cause?: string | undefined };
    executionId?: string | undefined;
  },
  deps: AbandonRotationDeps,
): Promise<AbandonedRotation> {
  const { rotation, material, newMaterial, failure } = input;
  const stored = await servedRequest(deps, input);
  const outcome = outcomeOf(failure.Error, deps.approvals ? (stored?.status ?? '') : undefined);
  const raw = (input.request ?? {}) as { requestId?: unknown; keyId?: unknown };
  const cleanupFailures: string[] = [];
  let deletedKeyMaterialId: string | null = null;
  if (rotation) {
    for (const keyMaterialId of await pendingIds(deps, rotation, material, newMaterial)) {
      // Replicas first (the primary's pending state depends on them), each best effort.
      for (const replicaArn of rotation.replicaArns) {
        try {
          await deletePending(kmsFor(deps, replicaArn), replicaArn, keyMaterialId);
        } catch (error) {
          const name = error instanceof Error ? error.name : 'Error';
          cleanupFailures.push(`${replicaArn}: ${name}`);
        }
      }
      // The primary always; a failure here stops the abandon path before anything is destroyed.
      if (await deletePending(deps.kms, rotation.keyArn, keyMaterialId)) deletedKeyMaterialId = keyMaterialId;
    }
  }
  // Only the request this execution serves records the outcome: a forged execution ends nothing.
  if (stored && deps.approvals) {
    try {
      await deps.approvals.recordOutcome(stored.requestId, {
        outcome,
        error: failure.Error.slice(0, 256),
        ...(input.executionId ? { executionArn: input.executionId } : {}),
      });
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      cleanupFailures.push(`approvals store: ${name}`);
    }
  }
  const abandoned: AbandonedRotation = {
    requestId: rotation?.requestId ?? (typeof raw.requestId === 'string' ? raw.requestId.slice(0, 64) : null),
    keyId: rotation?.keyArn ?? (typeof raw.keyId === 'string' ? raw.keyId.slice(0, 2048) : null),
    outcome,
    error: failure.Error,
    cause: failure.Cause ?? '',
    deletedKeyMaterialId,
    hsmKeyLabel: rotation ? (material?.hsmKeyLabel ?? rotation.newHsmKeyLabel) : null,
    cleanupFailures,
  };
  deps.logger?.warn('rotation abandoned', { ...abandoned });
  return abandoned;
}
