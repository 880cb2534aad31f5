// The approvals module's named errors. The HTTP layer maps each to a 4xx (or 5xx) answer whose body
// names the class, so the CLI can print `byok: <Name>: <message>` for a refused vote; the rotation
// workflow matches the same names when it re-checks a request. Messages name identities and request
// ids (both public), never a task token.
import { ByokError, type ByokErrorOptions } from '../shared/errors.ts';

/** Base class: anything the approvals API or store refuses on purpose. */
export class ApprovalsError extends ByokError {
  constructor(message: string, options?: ByokErrorOptions) {
    super(message, options);
    this.name = 'ApprovalsError';
  }
}

/** A request body, path or query does not match its schema. */
export class InvalidApprovalInputError extends ApprovalsError {
  readonly issues: string[];
  constructor(issues: string[], options?: ErrorOptions) {
    super(`invalid approvals input: ${issues.join('; ')}`, options);
    this.name = 'InvalidApprovalInputError';
    this.issues = issues;
  }
}

/** The request reached the API without an identity AWS (or, locally, SigV4) authenticated. */
export class UnauthenticatedError extends ApprovalsError {
  constructor(reason: string, options?: ErrorOptions) {
    super(`the request carries no authenticated identity: ${reason}`, {
      ...options,
      hint: 'call the approvals API with AWS credentials (SigV4); identities are never taken from a body or a flag',
    });
    this.name = 'UnauthenticatedError';
  }
}

export class ApprovalRequestNotFoundError extends ApprovalsError {
  readonly requestId: string;
  constructor(requestId: string, options?: ErrorOptions) {
    super(`approval request ${requestId} does not exist`, {
      ...options,
      hint: 'list the pending requests with: byok approvals',
    });
    this.name = 'ApprovalRequestNotFoundError';
    this.requestId = requestId;
  }
}

/** Separation of duties: whoever asked for the rotation cannot vote on it. */
export class SelfApprovalError extends ApprovalsError {
  readonly requestId: string;
  readonly identity: string;
  constructor(requestId: string, identity: string, options?: ErrorOptions) {
    super(`${identity} requested ${requestId} and cannot vote on it`, {
      ...options,
      hint: 'another authenticated identity has to approve (or reject) this request',
    });
    this.name = 'SelfApprovalError';
    this.requestId = requestId;
    this.identity = identity;
  }
}

/** Each identity votes once per request; a second vote (either way) is refused, never counted. */
export class DuplicateVoteError extends ApprovalsError {
  readonly requestId: string;
  readonly identity: string;
  constructor(requestId: string, identity: string, options?: ErrorOptions) {
    super(`${identity} has already voted on ${requestId}; each identity counts once`, options);
    this.name = 'DuplicateVoteError';
    this.requestId = requestId;
    this.identity = identity;
  }
}

/** The request was approved, rejected, expired or cancelled: it takes no more votes. */
export class RequestEndedError extends ApprovalsError {
  readonly requestId: string;
  readonly status: string;
  constructor(requestId: string, status: string, options?: ErrorOptions) {
    super(`approval request ${requestId} has ended (${status}) and takes no more votes`, options);
    this.name = 'RequestEndedError';
    this.requestId = requestId;
    this.status = status;
  }
}

/** The rotation has not produced its new material yet, so there is nothing to approve. */
export class RequestNotReadyError extends ApprovalsError {
  readonly requestId: string;
  constructor(requestId: string, options?: ErrorOptions) {
    super(
      `approval request ${requestId} is still waiting for its new key material; vote once it is pending`,
      {
        ...options,
        hint: 'the new material check value appears in `byok approvals` when the request opens for votes',
      },
    );
    this.name = 'RequestNotReadyError';
    this.requestId = requestId;
  }
}

/** The store was asked to move a request in a way its current status does not allow. */
export class RequestStateError extends ApprovalsError {
  readonly requestId: string;
  readonly status: string;
  constructor(requestId: string, status: string, wanted: string, options?: ErrorOptions) {
    super(`approval request ${requestId} is ${status}; cannot ${wanted}`, options);
    this.name = 'RequestStateError';
    this.requestId = requestId;
    this.status = status;
  }
}

/** The key's byok:approvals-required tag is not a whole number from 1 to 5. */
export class ApprovalsRequiredTagInvalidError extends ApprovalsError {
  readonly keyId: string;
  readonly value: string;
  constructor(keyId: string, tag: string, value: string, options?: ErrorOptions) {
    super(`KMS key ${keyId} has ${tag}=${JSON.stringify(value)}; expected a whole number from 1 to 5`, {
      ...options,
      // The guardrails SCP (deploy/scp/byok-guardrails.json) lets only the bindings administrators
      // set byok:* tags: the command is theirs to run, under their own credentials.
      hint: `only a bindings administrator may set byok:* tags (deploy/scp/byok-guardrails.json); one fixes it, signing with their own profile: \`aws kms tag-resource --key-id ${keyId} --tags TagKey=${tag},TagValue=2\``,
    });
    this.name = 'ApprovalsRequiredTagInvalidError';
    this.keyId = keyId;
    this.value = value;
  }
}

/**
 * The workflow's own re-check of a request failed: not approved, not enough distinct approvers,
 * or for another key or material than the one about to be imported (defence in depth).
 */
export class NotApprovedError extends ApprovalsError {
  readonly requestId: string;
  constructor(requestId: string, reason: string, options?: ErrorOptions) {
    super(`approval request ${requestId} does not authorise this rotation: ${reason}`, options);
    this.name = 'NotApprovedError';
    this.requestId = requestId;
  }
}

/** Too many concurrent writers on one request; nothing was recorded and the vote may be retried. */
export class VoteContentionError extends ApprovalsError {
  readonly requestId: string;
  constructor(requestId: string, attempts: number, options?: ErrorOptions) {
    super(`could not record the vote on ${requestId} after ${attempts} attempts under contention`, {
      ...options,
      hint: 'nothing was recorded; vote again',
    });
    this.name = 'VoteContentionError';
    this.requestId = requestId;
  }
}

/**
 * The vote that ended the request is recorded, but telling the waiting workflow failed (e.g. its
 * task timed out). The request keeps its final status; the cause says what Step Functions answered.
 */
export class TaskNotificationError extends ApprovalsError {
  readonly requestId: string;
  constructor(requestId: string, outcome: string, options?: ErrorOptions) {
    super(`request ${requestId} is ${outcome}, but the waiting rotation could not be told`, {
      ...options,
      hint: 'the vote is recorded; check the rotation execution (it may have timed out)',
    });
    this.name = 'TaskNotificationError';
    this.requestId = requestId;
  }
}

/** The key cannot be rotated through byok (e.g. byok does not manage it). */
export class KeyNotEligibleError extends ApprovalsError {
  readonly keyId: string;
  constructor(keyId: string, reason: string, options?: ErrorOptions) {
    super(`KMS key ${keyId} is not eligible for a byok rotation: ${reason}`, options);
    this.name = 'KeyNotEligibleError';
    this.keyId = keyId;
  }
}

/** The approval team's definition is refused (schema, a pattern that lets callers choose who they are). */
export class ApprovalTeamInvalidError extends ApprovalsError {
  readonly problems: string[];
  constructor(source: string, problems: string[], options?: ErrorOptions) {
    super(`${source} is not a valid approval team: ${problems.join('; ')}`, {
      ...options,
      hint: 'see docs/rotation.md "Approval team": members, each with IAM user, AWSReservedSSO_* session or enforced-session-name role patterns',
    });
    this.name = 'ApprovalTeamInvalidError';
    this.problems = problems;
  }
}

/** The authenticated caller matches no member of the approval team. */
export class NotATeamMemberError extends ApprovalsError {
  readonly principal: string;
  constructor(principal: string, options?: ErrorOptions) {
    super(`${principal} is not a member of the approval team`, {
      ...options,
      hint: 'an administrator adds people to the approval team (stack parameter ApprovalTeam, or byok local up --approval-team FILE)',
    });
    this.name = 'NotATeamMemberError';
    this.principal = principal;
  }
}

/** The authenticated caller matches several members: the team is ambiguous, nobody is guessed. */
export class AmbiguousApproverError extends ApprovalsError {
  readonly principal: string;
  readonly members: string[];
  constructor(principal: string, members: string[], options?: ErrorOptions) {
    super(`${principal} matches several members of the approval team (${members.join(', ')})`, {
      ...options,
      hint: 'an administrator must make each principal pattern authenticate one member',
    });
    this.name = 'AmbiguousApproverError';
    this.principal = principal;
    this.members = members;
  }
}

/** Deployed without an approval team: nobody is an approver (the API refuses every request). */
export class ApprovalTeamNotConfiguredError extends ApprovalsError {
  constructor(options?: ErrorOptions) {
    super('no approval team is configured for this deployment', {
      ...options,
      hint: 'deploy with --param="approvalTeam=<team JSON>" (docs/rotation.md)',
    });
    this.name = 'ApprovalTeamNotConfiguredError';
  }
}

/** A function asked the approvals keys for something its role may not do (deployed wiring). */
export class ApprovalKeyUnavailableError extends ApprovalsError {
  constructor(role: string, what: string, options?: ErrorOptions) {
    super(`${role} may not ${what}`, options);
    this.name = 'ApprovalKeyUnavailableError';
  }
}
