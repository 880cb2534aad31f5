// The approvals API's core: ask for a rotation, list and read requests, vote. Identities arrive
// already authenticated (identity.ts) and are mapped to the approval team's members (team.ts): a
// caller who is no member, or several, is refused on every route; one member is one vote. Ports
// reach KMS (the key's tags), Step Functions (start the rotation; send the task result) and the
// store. The one vote that ends a request, and only that
// one, tells the waiting workflow: SendTaskSuccess on the quorum, SendTaskFailure on a rejection.
import type { BindingsReader } from '../bindings/port.ts';
import { requireRotationBinding } from '../bindings/rules.ts';
import type { Clock } from '../clock.ts';
import { TAG_HSM_KEY_LABEL, TAG_MANAGED, TAG_MANAGED_VALUE } from '../import/tags.ts';
import {
  type ApprovalRequestView,
  type Decision,
  OPEN_STATUSES,
  publicView,
  type RequestStatus,
  type StoredRequest,
} from './contracts.ts';
import { KeyNotEligibleError, TaskNotificationError } from './errors.ts';
import type { CallerIdentity } from './identity.ts';
import {
  type ApprovalExpectations,
  approvalsRequiredFromTags,
  assertApproved,
  isPastDeadline,
} from './policy.ts';
import type { ApprovalsStore } from './store.ts';
import type { ApprovalTeam } from './team.ts';

/** What the API's role may do in Step Functions with a task token (the SDK's shapes). */
export interface TaskResultPort {
  sendTaskSuccess(input: { taskToken: string; output: string }): Promise<unknown>;
  sendTaskFailure(input: { taskToken: string; error: string; cause: string }): Promise<unknown>;
}

/** Reads a KMS key's ARN and tags (DescribeKey + ListResourceTags). */
export interface KeyDirectoryPort {
  describeForRotation(keyId: string): Promise<{
    keyArn: string;
    /** A multi-Region replica's primary, whose binding rules the replica. */
    primaryArn?: string | undefined;
    tags: ReadonlyArray<{ TagKey?: string | undefined; TagValue?: string | undefined }>;
  }>;
}

/** Starts the rotation state machine for a recorded request. */
export interface RotationStarterPort {
  startRotation(input: { requestId: string; keyArn: string }): Promise<{ executionArn: string }>;
}

export interface ApprovalsDeps {
  store: ApprovalsStore;
  clock: Clock;
  keys: KeyDirectoryPort;
  rotations: RotationStarterPort;
  taskResults: TaskResultPort;
  /**
   * The administrators' bindings (deployed: GetItem on the bindings table): a rotation whose new HSM
   * key no binding would cover is refused before a request exists.
   */
  bindings: Pick<BindingsReader, 'get'>;
  /**
   * Who may ask and vote, and M (the administrator's configuration; team.ts). Locally without a team
   * file, principalsAsMembers(): each principal its own member.
   */
  team: ApprovalTeam;
  /** How long a request stays open for votes (default 72 h, as the workflow's approval timeout). */
  approvalWindowMs?: number;
}

/** The approval team member the caller is; NotATeamMemberError / AmbiguousApproverError otherwise. */
export function memberOf(deps: Pick<ApprovalsDeps, 'team'>, caller: CallerIdentity): string {
  return deps.team.memberOf(caller.arn);
}

const DEFAULT_APPROVAL_WINDOW_MS = 72 * 3_600_000;
/** The error name a rejected approval ends the waiting task with (the workflow catches it). */
export const APPROVAL_REJECTED_ERROR = 'ApprovalRejectedError';

/** The view with an open request past its deadline shown as EXPIRED (the store closes it lazily). */
function viewAt(request: StoredRequest, now: Date): ApprovalRequestView {
  const view = publicView(request);
  return OPEN_STATUSES.includes(request.status) && isPastDeadline(request, now)
    ? { ...view, status: 'EXPIRED' }
    : view;
}

export async function requestRotation(
  deps: ApprovalsDeps,
  requester: CallerIdentity,
  input: { keyId: string; reason: string },
): Promise<ApprovalRequestView> {
  const key = await deps.keys.describeForRotation(input.keyId);
  const managed = key.tags.some((tag) => tag.TagKey === TAG_MANAGED && tag.TagValue === TAG_MANAGED_VALUE);
  if (!managed)
    throw new KeyNotEligibleError(input.keyId, `it has no ${TAG_MANAGED}=${TAG_MANAGED_VALUE} tag`);
  const requesterMember = memberOf(deps, requester);
  const approvalsRequired = approvalsRequiredFromTags(input.keyId, key.tags, deps.team.approvalsRequired);
  // The binding the rotation's import will need (ValidateRotation checks the new label exactly):
  // without it no request is recorded, no approver asked and no HSM key made.
  const hsmKeyLabel = key.tags.find((tag) => tag.TagKey === TAG_HSM_KEY_LABEL)?.TagValue;
  if (hsmKeyLabel) await requireRotationBinding(deps.bindings, hsmKeyLabel, key.primaryArn ?? key.keyArn);
  const now = deps.clock.now();
  const created = await deps.store.create({
    keyId: input.keyId,
    keyArn: key.keyArn,
    requester: requester.arn,
    requesterMember,
    reason: input.reason,
    approvalsRequired,
    deadline: new Date(now.getTime() + (deps.approvalWindowMs ?? DEFAULT_APPROVAL_WINDOW_MS)),
  });
  let executionArn: string;
  try {
    ({ executionArn } = await deps.rotations.startRotation({
      requestId: created.requestId,
      keyArn: key.keyArn,
    }));
  } catch (error) {
    await deps.store
      .end(created.requestId, 'CANCELLED', 'the rotation could not be started')
      .catch(() => undefined);
    throw error;
  }
  return viewAt(await deps.store.setExecution(created.requestId, executionArn), deps.clock.now());
}

export async function listRequests(
  deps: Pick<ApprovalsDeps, 'store' | 'clock'>,
  filter: { status?: RequestStatus | undefined },
): Promise<ApprovalRequestView[]> {
  const now = deps.clock.now();
  // EXPIRED is partly computed (open past the deadline), so filter the views, not the scan.
  const views = (await deps.store.list()).map((request) => viewAt(request, now));
  return filter.status ? views.filter((view) => view.status === filter.status) : views;
}

export async function getRequest(
  deps: Pick<ApprovalsDeps, 'store' | 'clock'>,
  requestId: string,
): Promise<ApprovalRequestView> {
  return viewAt(await deps.store.get(requestId), deps.clock.now());
}

export type VoteOutcome = 'recorded' | 'approved' | 'rejected';

export async function castVote(
  deps: ApprovalsDeps,
  voter: CallerIdentity,
  requestId: string,
  input: { decision: Decision; reason: string },
): Promise<{ outcome: VoteOutcome; request: ApprovalRequestView }> {
  const member = memberOf(deps, voter);
  const { request, effect } = await deps.store.vote(
    requestId,
    member,
    input.decision,
    input.reason,
    voter.arn,
  );
  if (!effect.ended) return { outcome: 'recorded', request: viewAt(request, deps.clock.now()) };
  const taskToken = await deps.store.taskTokenOf(request).catch((error: unknown) => {
    throw new TaskNotificationError(requestId, effect.ended ?? 'ended', { cause: error });
  });
  // openForVotes always sets a token before votes are taken; a missing one is a broken invariant.
  if (!taskToken)
    throw new TaskNotificationError(requestId, effect.ended, { cause: new Error('no task token') });
  try {
    if (effect.ended === 'APPROVED') {
      await deps.taskResults.sendTaskSuccess({
        taskToken,
        output: JSON.stringify({
          requestId,
          status: 'APPROVED',
          approvers: Object.entries(request.votes)
            .filter(([, vote]) => vote.decision === 'approve')
            .map(([identity]) => identity),
        }),
      });
    } else {
      await deps.taskResults.sendTaskFailure({
        taskToken,
        error: APPROVAL_REJECTED_ERROR,
        cause: `approval request ${requestId} was rejected by ${member}: ${input.reason}`,
      });
    }
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    await deps.store.recordNotification(requestId, 'failed', name).catch(() => undefined);
    throw new TaskNotificationError(requestId, effect.ended, { cause: error });
  }
  const noted = await deps.store.recordNotification(requestId, 'sent').catch(() => request);
  return {
    outcome: effect.ended === 'APPROVED' ? 'approved' : 'rejected',
    request: viewAt(noted, deps.clock.now()),
  };
}

/**
 * For the rotation workflow, before it imports anything: reads the request from the store (written
 * only by this API) and re-checks it with assertApproved, so a forged execution input or a task
 * result sent with a stolen token but no recorded votes rotates nothing (NotApprovedError).
 */
export async function verifyApprovedRequest(
  store: ApprovalsStore,
  requestId: string,
  expected: ApprovalExpectations,
): Promise<StoredRequest> {
  const request = await store.get(requestId);
  assertApproved(request, expected, await store.sealedFacts(request));
  return request;
}
