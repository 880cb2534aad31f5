// The approval rules as pure functions over a stored request: how many approvers a key needs (its
// byok:approvals-required tag), what one vote does to a request, and the re-check the rotation
// workflow runs before it imports anything. The store applies decideVote to what it read and makes
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

export const DEFAULT_APPROVALS_REQUIRED = 1;

/** M for a key: its byok:approvals-required tag (a whole number 1..5), default 1. */
export function approvalsRequiredFromTags(
  keyId: string,
  tags: ReadonlyArray<{ TagKey?: string | undefined; TagValue?: string | undefined }>,
): number {
  const tag = tags.find((candidate) => candidate.TagKey === TAG_APPROVALS_REQUIRED);
  if (!tag) return DEFAULT_APPROVALS_REQUIRED;
  const value = tag.TagValue ?? '';
  const required = /^\d$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(required) || required < MIN_APPROVALS || required > MAX_APPROVALS) {
    throw new ApprovalsRequiredTagInvalidError(keyId, TAG_APPROVALS_REQUIRED, value);
  }
  return required;
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
 * What a vote by `voter` does to `request` at `now`, or the named refusal. Order matters for the
 * message a person sees: an ended request says so before "you already voted".
 */
export function decideVote(request: StoredRequest, voter: string, decision: Decision, now: Date): VoteEffect {
  if (request.status !== 'PENDING' && request.status !== 'AWAITING_MATERIAL') {
    throw new RequestEndedError(request.requestId, request.status);
  }
  if (isPastDeadline(request, now)) throw new RequestEndedError(request.requestId, 'EXPIRED');
  if (voter === request.requester) throw new SelfApprovalError(request.requestId, voter);
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

/**
 * The workflow's own re-check (defence in depth): the request must be APPROVED by at least M
 * distinct identities other than the requester, with no rejection, for this key and this material.
 * Counts the recorded votes again instead of trusting the stored counter or the task result.
 */
export function assertApproved(request: StoredRequest, expected: ApprovalExpectations): void {
  const refuse = (reason: string) => new NotApprovedError(request.requestId, reason);
  if (request.status !== 'APPROVED') throw refuse(`its status is ${request.status}`);
  if (request.keyArn !== expected.keyArn) throw refuse(`it is for ${request.keyArn}, not ${expected.keyArn}`);
  if (
    expected.checkValue !== undefined &&
    request.checkValue?.toLowerCase() !== expected.checkValue.toLowerCase()
  ) {
    throw refuse('it approved another new material (check value differs)');
  }
  const votes = Object.entries(request.votes);
  if (votes.some(([, vote]) => vote.decision === 'reject')) throw refuse('it holds a rejection');
  const approvers = new Set(
    votes
      .filter(([identity, vote]) => vote.decision === 'approve' && identity !== request.requester)
      .map(([identity]) => identity),
  );
  if (approvers.size < request.approvalsRequired) {
    throw refuse(`${approvers.size} distinct approver(s) recorded, ${request.approvalsRequired} required`);
  }
}
