// The approval, from the workflow's side. OpenApproval runs as `lambda:invoke.waitForTaskToken`:
// it hands the task token to the approvals store (server-side; no event, log or page carries it),
// opens the request for votes with the new material's check value, and publishes the notification
// (requester, reason, key, check value, deadline). The approvals API closes the task when a vote
// ends the request. RecheckApproval then re-reads the request and recounts its votes before
// anything is imported: a task result proves nothing about who approved.
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { verifyApprovedRequest } from '../approvals/service.ts';
import type { NewMaterial, RotationPlan } from './contracts.ts';
import { type EventBridgeClient, type RotationApprovalsDeps, requireApprovals } from './deps.ts';

const APPROVAL_REQUESTED_DETAIL_TYPE = 'byok Key Material Rotation Approval Requested';

export interface OpenApprovalDeps extends RotationApprovalsDeps {
  events?: EventBridgeClient | undefined;
}

export async function openApproval(
  input: { taskToken: string; rotation: RotationPlan; material: NewMaterial },
  deps: OpenApprovalDeps,
): Promise<{ requestId: string; status: 'PENDING' }> {
  const { rotation, material } = input;
  await requireApprovals(deps, 'OpenApproval').openForVotes(rotation.requestId, {
    taskToken: input.taskToken,
    checkValue: material.checkValue,
    newMaterialHsmKey: material.hsmKeyLabel,
  });
  const detail = {
    requestId: rotation.requestId,
    keyArn: rotation.keyArn,
    requester: rotation.requester,
    reason: rotation.reason,
    checkValue: material.checkValue,
    newHsmKeyLabel: material.hsmKeyLabel,
    approvalsRequired: rotation.approvalsRequired,
    deadline: rotation.deadline,
  };
  if (deps.events) {
    await deps.events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'byok',
            DetailType: APPROVAL_REQUESTED_DETAIL_TYPE,
            Resources: [rotation.keyArn],
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
  }
  deps.logger?.info('rotation opened for votes', detail);
  return { requestId: rotation.requestId, status: 'PENDING' };
}

export async function recheckApproval(
  input: { rotation: RotationPlan; material: NewMaterial },
  deps: RotationApprovalsDeps,
): Promise<{ requestId: string; approvers: string[] }> {
  const request = await verifyApprovedRequest(
    requireApprovals(deps, 'RecheckApproval'),
    input.rotation.requestId,
    {
      keyArn: input.rotation.keyArn,
      checkValue: input.material.checkValue,
    },
  );
  const approvers = Object.entries(request.votes)
    .filter(([identity, vote]) => vote.decision === 'approve' && identity !== request.requester)
    .map(([identity]) => identity)
    .sort();
  deps.logger?.info('approval re-checked against the store', { requestId: request.requestId, approvers });
  return { requestId: request.requestId, approvers };
}
