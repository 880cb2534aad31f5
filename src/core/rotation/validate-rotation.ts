// The rotation's first step: refuse before anything is made. The request must be one the
// authenticated approvals API recorded (so the requester is an identity AWS authenticated, not a
// name in the execution input) and still waiting for its material; the key must be a symmetric
// EXTERNAL key byok manages, Enabled, a multi-Region primary or single-Region, with on-demand
// rotations left and none pending, and its new HSM key's label must be covered by an
// administrator's binding to the key (else GetParametersForImport would refuse it only after the
// approvers voted and a new HSM key was made). It also encrypts a probe that must still decrypt with
// the old material after the rotation.
import { createHash, randomBytes } from 'node:crypto';
import {
  DescribeKeyCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  type KeyMetadata,
  NotFoundException,
} from '@aws-sdk/client-kms';
import type { StoredRequest } from '../approvals/contracts.ts';
import { ApprovalRequestNotFoundError } from '../approvals/errors.ts';
import { listKeyRotations, listResourceTags } from '../aws/paginate-kms.ts';
import type { BindingsReader } from '../bindings/port.ts';
import { requireRotationBinding } from '../bindings/rules.ts';
import { probeEncryptionContext } from '../import/probe-context.ts';
import { TAG_HSM_KEY_LABEL, TAG_MANAGED, TAG_MANAGED_VALUE } from '../import/tags.ts';
import { describeIssues } from '../step-kernel/issues.ts';
import {
  MAX_APPROVAL_TIMEOUT_SECONDS,
  MAX_ON_DEMAND_ROTATIONS,
  MIN_APPROVAL_TIMEOUT_SECONDS,
  RotationExecutionInputSchema,
  type RotationPlan,
} from './contracts.ts';
import { type RotationApprovalsDeps, type RotationKmsDeps, requireApprovals } from './deps.ts';
import {
  InvalidRotationInputError,
  KeyNotRotatableError,
  RotationLimitReachedError,
  RotationPendingError,
  RotationRequestNotRecordedError,
} from './errors.ts';
import { servesRequest } from './serving-execution.ts';

export type ValidateRotationDeps = RotationKmsDeps &
  RotationApprovalsDeps & {
    /** The administrators' bindings (deployed: GetItem on the bindings table; locally: the stack's). */
    bindings: Pick<BindingsReader, 'get'>;
  };

const PENDING_STATES = new Set(['PENDING_ROTATION', 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION']);

/** The HSM key label for the new material: the current label, the material's sequence, the request. */
export function newHsmKeyLabel(currentLabel: string, sequence: number, requestId: string): string {
  const suffix = `-r${sequence}-${requestId.slice(0, 8)}`;
  return `${currentLabel.slice(0, 128 - suffix.length)}${suffix}`;
}

async function recordedRequest(deps: ValidateRotationDeps, requestId: string): Promise<StoredRequest> {
  try {
    return await requireApprovals(deps, 'ValidateRotation').get(requestId);
  } catch (error) {
    if (error instanceof ApprovalRequestNotFoundError) {
      throw new RotationRequestNotRecordedError(requestId, 'no such request', { cause: error });
    }
    throw error;
  }
}

async function describe(deps: ValidateRotationDeps, keyId: string): Promise<KeyMetadata> {
  try {
    const metadata = (await deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    if (!metadata?.Arn) throw new KeyNotRotatableError(keyId, 'DescribeKey returned no key');
    return metadata;
  } catch (error) {
    if (error instanceof NotFoundException)
      throw new KeyNotRotatableError(keyId, 'no such key', { cause: error });
    throw error;
  }
}

export async function validateRotation(
  rawRequest: unknown,
  deps: ValidateRotationDeps,
  executionId?: string,
): Promise<RotationPlan> {
  const parsed = RotationExecutionInputSchema.safeParse(rawRequest);
  if (!parsed.success) throw new InvalidRotationInputError(describeIssues(parsed.error));
  const { requestId, keyId } = parsed.data;

  const request = await recordedRequest(deps, requestId);
  if (request.keyArn !== keyId && request.keyId !== keyId) {
    throw new RotationRequestNotRecordedError(requestId, `it is for ${request.keyArn}, not ${keyId}`);
  }
  if (request.status !== 'AWAITING_MATERIAL') {
    throw new RotationRequestNotRecordedError(requestId, `its status is ${request.status}`);
  }
  const sealed = await requireApprovals(deps, 'ValidateRotation').sealedFacts(request);
  if (!sealed.request) {
    throw new RotationRequestNotRecordedError(
      requestId,
      'its requester and approvals were not recorded by the approvals API',
    );
  }
  if (!servesRequest(request, executionId, sealed.execution)) {
    throw new RotationRequestNotRecordedError(
      requestId,
      `it is served by ${request.executionArn ?? 'the execution named after it'}, not this execution`,
    );
  }

  const metadata = await describe(deps, request.keyArn);
  const keyArn = metadata.Arn as string;
  const refuse = (reason: string) => new KeyNotRotatableError(keyArn, reason);
  if (metadata.Origin !== 'EXTERNAL') throw refuse(`its origin is ${metadata.Origin}, not EXTERNAL`);
  if (metadata.KeySpec !== 'SYMMETRIC_DEFAULT')
    throw refuse(`its key spec is ${metadata.KeySpec}, not SYMMETRIC_DEFAULT`);
  if (metadata.KeyState !== 'Enabled') throw refuse(`its state is ${metadata.KeyState}, not Enabled`);
  if (metadata.MultiRegionConfiguration?.MultiRegionKeyType === 'REPLICA') {
    throw refuse('it is a multi-Region replica (rotate its primary)');
  }
  if (!metadata.CurrentKeyMaterialId) throw refuse('DescribeKey reports no current key material');
  const tags = await listResourceTags(deps.kms, keyArn);
  const tag = (key: string) => tags.find((candidate) => candidate.TagKey === key)?.TagValue;
  if (tag(TAG_MANAGED) !== TAG_MANAGED_VALUE)
    throw refuse(`it has no ${TAG_MANAGED}=${TAG_MANAGED_VALUE} tag`);
  const currentHsmKeyLabel = tag(TAG_HSM_KEY_LABEL);
  if (!currentHsmKeyLabel) throw refuse(`it has no ${TAG_HSM_KEY_LABEL} tag`);

  const materials = await listKeyRotations(deps.kms, keyArn);
  const pending = materials.find((entry) => PENDING_STATES.has(entry.KeyMaterialState ?? ''));
  if (pending) {
    throw new RotationPendingError(
      keyArn,
      `material ${pending.KeyMaterialId} is ${pending.KeyMaterialState}`,
    );
  }
  const status = await deps.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }));
  if (status.OnDemandRotationStartDate) {
    throw new RotationPendingError(keyArn, 'an on-demand rotation is in progress');
  }
  const onDemand = materials.filter((entry) => entry.RotationType === 'ON_DEMAND').length;
  if (onDemand >= MAX_ON_DEMAND_ROTATIONS) {
    throw new RotationLimitReachedError(keyArn, onDemand, MAX_ON_DEMAND_ROTATIONS);
  }

  // The binding GetParametersForImport will check for the new HSM key, checked now: an unbound
  // rotation is refused before an HSM key is made and before anyone is asked to vote.
  const sequence = Math.max(2, materials.length + 1);
  const newLabel = newHsmKeyLabel(currentHsmKeyLabel, sequence, requestId);
  await requireRotationBinding(deps.bindings, newLabel, keyArn);

  // A probe: random bytes, encrypted now, whose plaintext only travels as a hash.
  const plaintext = randomBytes(32);
  // Under byok's probe context: the only context byok's roles may encrypt or decrypt with.
  const encrypted = await deps.kms.send(
    new EncryptCommand({ KeyId: keyArn, Plaintext: plaintext, EncryptionContext: probeEncryptionContext() }),
  );
  const probe = {
    ciphertext: Buffer.from(encrypted.CiphertextBlob as Uint8Array).toString('base64'),
    plaintextSha256: createHash('sha256').update(plaintext).digest('hex'),
  };
  plaintext.fill(0);

  const now = deps.clock.now();
  const remaining = Math.floor((Date.parse(request.deadline) - now.getTime()) / 1000);
  if (remaining < MIN_APPROVAL_TIMEOUT_SECONDS) {
    throw new RotationRequestNotRecordedError(requestId, 'its deadline has passed');
  }
  const plan: RotationPlan = {
    requestId,
    keyArn,
    keyId: metadata.KeyId ?? keyArn,
    requester: request.requester,
    reason: request.reason,
    deadline: request.deadline,
    approvalsRequired: request.approvalsRequired,
    approvalTimeoutSeconds: Math.min(MAX_APPROVAL_TIMEOUT_SECONDS, remaining),
    currentHsmKeyLabel,
    newHsmKeyLabel: newLabel,
    sequence,
    oldKeyMaterialId: metadata.CurrentKeyMaterialId,
    replicaArns: (metadata.MultiRegionConfiguration?.ReplicaKeys ?? [])
      .map((replica) => replica.Arn)
      .filter((arn): arn is string => typeof arn === 'string'),
    probe,
  };
  deps.logger?.info('rotation validated', {
    requestId,
    keyArn,
    sequence,
    replicas: plan.replicaArns.length,
  });
  return plan;
}
