// The approval rules as pure functions over a stored request: how many approvers a key needs (the
// administrator's M, which a key's byok:approvals-required tag may only raise), what one member's
// vote does to a request, and the re-check the rotation workflow runs before it imports anything. The store applies decideVote to what it read and makes
// the write conditional on nothing having changed since, so the rules hold under concurrency too.
import { TAG_APPROVALS_REQUIRED } from '../import/tags.ts';
import {
  type Decision,
  MAX_APPROVALS,
  MIN_APPROVALS,
  type RequestStatus,
  type StoredRequest,
} from './contracts.ts';
import {
  ApprovalsRequiredTagInvalidError,
  DuplicateVoteError,
  NotApprovedError,
  RequestEndedError,
  RequestNotReadyError,
  SelfApprovalError,
} from './errors.ts';

const DEFAULT_APPROVALS_REQUIRED = 1;

/**
 * M for a key: the administrator's `minimum` (the approval team's approvalsRequired), raised by the
 * key's byok:approvals-required tag (a whole number 1..5), never lowered by it: whoever may untag or
 * retag a key cannot take approvals away.
 */
export function approvalsRequiredFromTags(
  keyId: string,
  tags: ReadonlyArray<{ TagKey?: string | undefined; TagValue?: string | undefined }>,
  minimum = DEFAULT_APPROVALS_REQUIRED,
): number {
  const tag = tags.find((candidate) => candidate.TagKey === TAG_APPROVALS_REQUIRED);
  if (!tag) return minimum;
  const value = tag.TagValue ?? '';
  const required = /^\d$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(required) || required < MIN_APPROVALS || required > MAX_APPROVALS) {
    throw new ApprovalsRequiredTagInvalidError(keyId, TAG_APPROVALS_REQUIRED, value);
  }
  return Math.max(minimum, required);
}

/** The member who asked (items from before approval teams: the requester's principal ARN). */
function requesterMemberOf(request: StoredRequest): string {
  return request.requesterMember ?? request.requester;
}

export interface VoteEffect {
  /** The request's status after the vote. */
  status: RequestStatus;
  approvals: number;
  /** Set when this vote ended the request: the one caller that must tell the workflow. */
  ended?: 'APPROVED' | 'REJECTED';
}

export function isPastDeadline(request: StoredRequest, now: Date): boolean {
  return now.getTime() >= Date.parse(request.deadline);
}

/**
 * What a vote by member `voter` does to `request` at `now`, or the named refusal. The requester's
 * member never votes on their own request, whichever principal they authenticate with. Order matters for the
 * message a person sees: an ended request says so before "you already voted".
 */
export function decideVote(request: StoredRequest, voter: string, decision: Decision, now: Date): VoteEffect {
  if (request.status !== 'PENDING' && request.status !== 'AWAITING_MATERIAL') {
    throw new RequestEndedError(request.requestId, request.status);
  }
  if (isPastDeadline(request, now)) throw new RequestEndedError(request.requestId, 'EXPIRED');
  if (voter === requesterMemberOf(request)) throw new SelfApprovalError(request.requestId, voter);
  if (request.votes[voter]) throw new DuplicateVoteError(request.requestId, voter);
  if (request.status === 'AWAITING_MATERIAL') throw new RequestNotReadyError(request.requestId);
  if (decision === 'reject') return { status: 'REJECTED', approvals: request.approvals, ended: 'REJECTED' };
  const approvals = request.approvals + 1;
  return approvals >= request.approvalsRequired
    ? { status: 'APPROVED', approvals, ended: 'APPROVED' }
    : { status: 'PENDING', approvals };
}

export interface ApprovalExpectations {
  /** The key the workflow is about to rotate. */
  keyArn: string;
  /** The check value of the material the workflow is about to import. */
  checkValue?: string | undefined;
}

/** Which of the request's facts carry the approvals API's seal (ApprovalsStore.sealedFacts). */
export interface SealedRequestFacts {
  request: boolean;
  voters: ReadonlySet<string>;
}

/**
 * The workflow's own re-check (defence in depth): the request must be APPROVED by at least M
 * distinct members other than the requester's, with no rejection, for this key and this material.
 * Counts the recorded votes again instead of trusting the stored counter or the task result, and
 * counts only votes sealed by the approvals API, on a request whose facts (who asked, M) it sealed:
 * a vote or an M written straight into the table counts for nothing.
 */
export function assertApproved(
  request: StoredRequest,
  expected: ApprovalExpectations,
  sealed: SealedRequestFacts,
): void {
  const refuse = (reason: string) => new NotApprovedError(request.requestId, reason);
  if (request.status !== 'APPROVED') throw refuse(`its status is ${request.status}`);
  if (!sealed.request) {
    throw refuse(
      'its requester or required approvals were not recorded by the approvals API (no valid seal)',
    );
  }
  if (request.keyArn !== expected.keyArn) throw refuse(`it is for ${request.keyArn}, not ${expected.keyArn}`);
  if (
    expected.checkValue !== undefined &&
    request.checkValue?.toLowerCase() !== expected.checkValue.toLowerCase()
  ) {
    throw refuse('it approved another new material (check value differs)');
  }
  const votes = Object.entries(request.votes);
  if (votes.some(([, vote]) => vote.decision === 'reject')) throw refuse('it holds a rejection');
  const requester = requesterMemberOf(request);
  const approvers = new Set(
    votes
      .filter(([member, vote]) => vote.decision === 'approve' && member !== requester)
      .map(([member]) => member),
  );
  const sealedApprovers = [...approvers].filter((member) => sealed.voters.has(member));
  if (sealedApprovers.length < request.approvalsRequired) {
    const unsealed = approvers.size - sealedApprovers.length;
    throw refuse(
      `${sealedApprovers.length} distinct approver(s) recorded by the approvals API, ${request.approvalsRequired} required${unsealed > 0 ? ` (${unsealed} vote(s) without a valid seal ignored)` : ''}`,
    );
  }
}
