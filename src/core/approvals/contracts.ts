// The shapes of the approvals store and API: an approval request (one per rotation), the votes on
// it, the public view the API returns, and the bodies it accepts. One schema per shape, types
// inferred from it. The task token is part of the stored request only: the public view drops it,
// so no API answer, list or event can hand out a token that would close the waiting task.
import { z } from 'zod';
import { KeyIdSchema } from '../import/contracts.ts';
import { isPrintableText } from '../shared/text.ts';
import { InvalidApprovalInputError } from './errors.ts';

export const MIN_APPROVALS = 1;
export const MAX_APPROVALS = 5;

/** An IAM or STS principal ARN (user, role, assumed-role session, federated user). */
export const IdentityArnSchema = z
  .string()
  .max(2048)
  .regex(/^arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/:-]+$/, 'must be an IAM or STS principal ARN');

/** A free-text reason a person typed: printable, bounded, kept as given. */
const ReasonSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(500)
  .refine(isPrintableText, { message: 'must be printable text (no control or bidirectional characters)' });

export const RequestIdSchema = z.uuid();

export const DecisionSchema = z.enum(['approve', 'reject']);
export type Decision = z.infer<typeof DecisionSchema>;

/**
 * AWAITING_MATERIAL: requested, the workflow is making the new material in the HSM.
 * PENDING: the material exists and the workflow waits on a task token; votes are taken.
 * APPROVED / REJECTED: a vote ended it. EXPIRED: its deadline passed. CANCELLED: the workflow
 * ended it (failure before the approval, or after a timeout it noticed first).
 */
export const RequestStatusSchema = z.enum([
  'AWAITING_MATERIAL',
  'PENDING',
  'APPROVED',
  'REJECTED',
  'EXPIRED',
  'CANCELLED',
]);
export type RequestStatus = z.infer<typeof RequestStatusSchema>;
export const OPEN_STATUSES: readonly RequestStatus[] = ['AWAITING_MATERIAL', 'PENDING'];

/**
 * One vote. `identity` is the approval team member who voted (one person, one vote; without a team,
 * locally, the principal ARN itself), `principal` the authenticated principal they used, `seal`
 * the approvals API's MAC over the vote (seals.ts): a vote without a valid seal counts for nothing.
 */
export const VoteSchema = z.object({
  identity: z.string().min(1).max(2048),
  principal: IdentityArnSchema.optional(),
  decision: DecisionSchema,
  reason: z.string(),
  at: z.iso.datetime(),
  seal: z.string().max(1024).optional(),
});
export type Vote = z.infer<typeof VoteSchema>;

/** What the rotation came to, recorded by the workflow when it ends without rotating. */
export const ROTATION_OUTCOMES = ['REJECTED', 'EXPIRED', 'REFUSED', 'FAILED'] as const;
export const RequestOutcomeSchema = z.object({
  outcome: z.enum(ROTATION_OUTCOMES),
  error: z.string().max(256),
  executionArn: z.string().max(2048).optional(),
  at: z.iso.datetime(),
});
export type RequestOutcome = z.infer<typeof RequestOutcomeSchema>;

/** The request as stored (one DynamoDB item). */
export const StoredRequestSchema = z.object({
  requestId: RequestIdSchema,
  keyId: z.string(),
  keyArn: z.string(),
  requester: IdentityArnSchema,
  /** The approval team member who asked (never votes on it); absent on items from before teams. */
  requesterMember: z.string().min(1).max(2048).optional(),
  reason: z.string(),
  approvalsRequired: z.number().int().min(MIN_APPROVALS).max(MAX_APPROVALS),
  createdAt: z.iso.datetime(),
  deadline: z.iso.datetime(),
  status: RequestStatusSchema,
  checkValue: z.string().optional(),
  /** Which HSM key holds the new material (a label, public). */
  newMaterialHsmKey: z.string().optional(),
  executionArn: z.string().optional(),
  /** Server-side only, locked for the approvals API (seals.ts): never leaves the store through the API. */
  taskToken: z.string().optional(),
  /** Votes keyed by the voting member: one entry per member, by construction. */
  votes: z.record(z.string(), VoteSchema.omit({ identity: true })),
  /** The approvals API's seals over the request's facts (who asked, M, key) and its execution. */
  seals: z
    .object({ request: z.string().max(1024).optional(), execution: z.string().max(1024).optional() })
    .optional(),
  /** Set by the workflow when it ended without rotating. */
  outcome: RequestOutcomeSchema.optional(),
  approvals: z.number().int().min(0),
  /** Optimistic-concurrency counter: every write moves it by one, conditioned on the value read. */
  version: z.number().int().min(0),
  endedAt: z.iso.datetime().optional(),
  endReason: z.string().optional(),
  notification: z
    .object({ status: z.enum(['sent', 'failed']), at: z.iso.datetime(), error: z.string().optional() })
    .optional(),
});
export type StoredRequest = z.infer<typeof StoredRequestSchema>;

/** What the API answers: the stored request without the task token, votes as a list. */
export interface ApprovalRequestView {
  requestId: string;
  keyId: string;
  keyArn: string;
  requester: string;
  requesterMember?: string;
  reason: string;
  approvalsRequired: number;
  approvals: number;
  createdAt: string;
  deadline: string;
  status: RequestStatus;
  checkValue?: string;
  newMaterialHsmKey?: string;
  executionArn?: string;
  votes: Vote[];
  endedAt?: string;
  endReason?: string;
  outcome?: RequestOutcome;
}

export function publicView(request: StoredRequest): ApprovalRequestView {
  const {
    taskToken: _token,
    version: _version,
    notification: _notification,
    seals: _seals,
    votes,
    ...rest
  } = request;
  return {
    ...rest,
    votes: Object.entries(votes)
      .map(([identity, { seal: _seal, ...vote }]) => ({ identity, ...vote }))
      .sort((a, b) => a.at.localeCompare(b.at) || a.identity.localeCompare(b.identity)),
  };
}

export const CreateRequestBodySchema = z.strictObject({ keyId: KeyIdSchema, reason: ReasonSchema });
export const VoteBodySchema = z.strictObject({ decision: DecisionSchema, reason: ReasonSchema });
export const ListQuerySchema = z.strictObject({ status: RequestStatusSchema.optional() });

/** Parses `value` or throws InvalidApprovalInputError listing every issue with its path. */
export function parseApprovalInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new InvalidApprovalInputError(
    parsed.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`),
  );
}
