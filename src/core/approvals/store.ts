// The approvals store: requests and their votes in DynamoDB. Every write replaces the request's one
// item on condition that its `version` is still the one read (compare-and-swap), so two writers
// never both succeed from the same state: concurrent votes are serialised, none is lost (a loser
// re-reads and tries again) and none is counted twice; exactly one vote can move a request from
// PENDING to APPROVED or REJECTED, and that caller alone is told it ended the request.
// What the workflow relies on is sealed (seals.ts): who asked and M when the request is made, the
// execution serving it, each vote; the task token is stored locked. A fact written straight into
// the table, without the approvals API's key, carries no valid seal and counts for nothing.
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { scanAll } from '../aws/paginate-dynamodb.ts';
import type { Clock } from '../clock.ts';
import {
  type Decision,
  OPEN_STATUSES,
  type RequestOutcome,
  type RequestStatus,
  type StoredRequest,
  StoredRequestSchema,
} from './contracts.ts';
import {
  ApprovalRequestNotFoundError,
  RequestEndedError,
  RequestStateError,
  VoteContentionError,
} from './errors.ts';
import { decideVote, isPastDeadline, type VoteEffect } from './policy.ts';
import { type ApprovalKeys, processApprovalKeys, sealPayload } from './seals.ts';

export interface ApprovalsStoreOptions {
  client: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  /** Compare-and-swap attempts per write under contention (default 40). */
  maxAttempts?: number;
  /**
   * The seal and token-lock keys (deployed: KMS; locally: the stack's secret). Default: keys of this
   * process only, so a store in another process can neither verify nor unlock (fails closed).
   */
  keys?: ApprovalKeys;
}

/** The outcome the workflow records when it ends without rotating. */
export type OutcomeRecord = Omit<RequestOutcome, 'at'>;

/** Which of a request's facts carry a valid seal. */
export interface SealedFacts {
  /** Who asked, M, the key, created and deadline are the approvals API's. */
  request: boolean;
  /** The recorded execution is the one the approvals API started (false when none is recorded). */
  execution: boolean;
  /** The members whose votes the approvals API recorded. */
  voters: Set<string>;
}

export interface NewRequest {
  keyId: string;
  keyArn: string;
  requester: string;
  /** The approval team member who asks (default: the requester's principal ARN). */
  requesterMember?: string | undefined;
  reason: string;
  approvalsRequired: number;
  deadline: Date;
}

export interface OpenForVotes {
  taskToken: string;
  checkValue: string;
  newMaterialHsmKey?: string | undefined;
}

export interface VoteResult {
  request: StoredRequest;
  effect: VoteEffect;
}

class VersionConflict extends Error {}

export class ApprovalsStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  private readonly keys: ApprovalKeys;

  constructor(options: ApprovalsStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.clock = options.clock;
    this.maxAttempts = options.maxAttempts ?? 40;
    this.keys = options.keys ?? processApprovalKeys();
  }

  async create(input: NewRequest): Promise<StoredRequest> {
    const unsealed: StoredRequest = StoredRequestSchema.parse({
      requestId: randomUUID(),
      ...input,
      requesterMember: input.requesterMember ?? input.requester,
      createdAt: this.clock.now().toISOString(),
      deadline: input.deadline.toISOString(),
      status: 'AWAITING_MATERIAL',
      votes: {},
      approvals: 0,
      version: 0,
    });
    const request: StoredRequest = {
      ...unsealed,
      seals: { request: await this.keys.seals.seal(requestSealPayload(unsealed)) },
    };
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: request,
        ConditionExpression: 'attribute_not_exists(requestId)',
      }),
    );
    return request;
  }

  /** The request, or ApprovalRequestNotFoundError. Strongly consistent. */
  async get(requestId: string): Promise<StoredRequest> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { requestId }, ConsistentRead: true }),
    );
    if (!Item) throw new ApprovalRequestNotFoundError(requestId);
    return StoredRequestSchema.parse(Item);
  }

  /** Every request (optionally of one status), oldest first. A scan: the table holds few items. */
  async list(filter: { status?: RequestStatus | undefined } = {}): Promise<StoredRequest[]> {
    const items = await scanAll(this.client, {
      TableName: this.tableName,
      ConsistentRead: true,
      ...(filter.status
        ? {
            FilterExpression: '#status = :status',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':status': filter.status },
          }
        : {}),
    });
    const requests = items.map((item) => StoredRequestSchema.parse(item));
    return requests.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Records (and seals) the rotation execution that serves the request. */
  async setExecution(requestId: string, executionArn: string): Promise<StoredRequest> {
    const seal = await this.keys.seals.seal(sealPayload('execution', [requestId, executionArn]));
    return this.mutate(requestId, (current) => ({
      ...current,
      executionArn,
      seals: { ...current.seals, execution: seal },
    }));
  }

  /** Which facts of `request` carry the approvals API's valid seal. */
  async sealedFacts(request: StoredRequest): Promise<SealedFacts> {
    const { seals } = this.keys;
    const voters = new Set<string>();
    for (const [member, vote] of Object.entries(request.votes)) {
      if (await seals.verify(voteSealPayload(request, member, vote.decision, vote.at), vote.seal)) {
        voters.add(member);
      }
    }
    return {
      request: await seals.verify(requestSealPayload(request), request.seals?.request),
      execution:
        request.executionArn !== undefined &&
        (await seals.verify(
          sealPayload('execution', [request.requestId, request.executionArn]),
          request.seals?.execution,
        )),
      voters,
    };
  }

  /** The task token, unlocked (only the approvals API's keys can). */
  taskTokenOf(request: StoredRequest): Promise<string | undefined> {
    if (!request.taskToken) return Promise.resolve(undefined);
    return this.keys.vault.unlock(request.taskToken, request.requestId);
  }

  /**
   * The workflow made the new material and now waits on `taskToken`: the request opens for votes.
   * Only from AWAITING_MATERIAL, before the deadline.
   */
  async openForVotes(requestId: string, input: OpenForVotes): Promise<StoredRequest> {
    const locked = await this.keys.vault.lock(input.taskToken, requestId);
    return this.mutate(requestId, (current) => {
      if (current.status !== 'AWAITING_MATERIAL') {
        throw new RequestStateError(requestId, current.status, 'open it for votes');
      }
      if (isPastDeadline(current, this.clock.now())) throw new RequestEndedError(requestId, 'EXPIRED');
      return {
        ...current,
        status: 'PENDING',
        taskToken: locked,
        checkValue: input.checkValue,
        ...(input.newMaterialHsmKey ? { newMaterialHsmKey: input.newMaterialHsmKey } : {}),
      };
    });
  }

  /**
   * Records `voter`'s vote. Throws the named refusal (self-approval, duplicate, ended, not ready,
   * unknown request). `effect.ended` is set for exactly one caller per request: the one whose vote
   * reached the quorum or rejected it.
   */
  async vote(
    requestId: string,
    voter: string,
    decision: Decision,
    reason: string,
    principal?: string,
  ): Promise<VoteResult> {
    let effect: VoteEffect | undefined;
    try {
      // The seal binds the vote to the request's key and material (check value), fixed once PENDING.
      const read = await this.get(requestId);
      const now = this.clock.now();
      const at = now.toISOString();
      const seal = await this.keys.seals.seal(voteSealPayload(read, voter, decision, at));
      const request = await this.mutate(requestId, (current) => {
        effect = decideVote(current, voter, decision, now);
        if (current.checkValue !== read.checkValue || current.keyArn !== read.keyArn) {
          throw new RequestStateError(requestId, current.status, 'vote on a request whose material changed');
        }
        return {
          ...current,
          status: effect.status,
          approvals: effect.approvals,
          votes: {
            ...current.votes,
            [voter]: { decision, reason, at, seal, ...(principal ? { principal } : {}) },
          },
          ...(effect.ended
            ? {
                endedAt: now.toISOString(),
                endReason: effect.ended === 'APPROVED' ? 'quorum reached' : `rejected by ${voter}`,
              }
            : {}),
        };
      });
      if (!effect) throw new Error('vote recorded without an effect');
      return { request, effect };
    } catch (error) {
      // A vote after the deadline finds the request still open in the table: close it on the way.
      if (error instanceof RequestEndedError && error.status === 'EXPIRED') {
        await this.end(requestId, 'EXPIRED', 'deadline passed').catch(() => undefined);
      }
      throw error;
    }
  }

  /** Ends an open request without a vote (deadline passed, workflow failed or stopped). */
  end(requestId: string, status: 'EXPIRED' | 'CANCELLED', reason: string): Promise<StoredRequest> {
    return this.mutate(requestId, (current) => {
      if (!OPEN_STATUSES.includes(current.status)) throw new RequestEndedError(requestId, current.status);
      return { ...current, status, endedAt: this.clock.now().toISOString(), endReason: reason };
    });
  }

  /**
   * The workflow ended without rotating: records its outcome and closes a request still open or
   * APPROVED (EXPIRED on a timeout, CANCELLED otherwise). A REJECTED or ended request keeps its
   * status and gains the outcome.
   */
  recordOutcome(requestId: string, outcome: OutcomeRecord): Promise<StoredRequest> {
    return this.mutate(requestId, (current) => {
      const now = this.clock.now().toISOString();
      const closes = OPEN_STATUSES.includes(current.status) || current.status === 'APPROVED';
      return {
        ...current,
        outcome: { ...outcome, at: now },
        ...(closes
          ? {
              status: outcome.outcome === 'EXPIRED' ? 'EXPIRED' : 'CANCELLED',
              endedAt: now,
              endReason: `rotation ${outcome.outcome.toLowerCase()}: ${outcome.error}`,
            }
          : {}),
      };
    });
  }

  /** Notes whether the workflow was told of the outcome (for operators reading the request). */
  recordNotification(requestId: string, status: 'sent' | 'failed', error?: string): Promise<StoredRequest> {
    return this.mutate(requestId, (current) => ({
      ...current,
      notification: { status, at: this.clock.now().toISOString(), ...(error ? { error } : {}) },
    }));
  }

  /** Read, change, write if nobody wrote in between; else read again. `change` may throw a refusal. */
  private async mutate(
    requestId: string,
    change: (current: StoredRequest) => StoredRequest,
  ): Promise<StoredRequest> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt += 1) {
      const current = await this.get(requestId);
      const next = StoredRequestSchema.parse({ ...change(current), version: current.version + 1 });
      try {
        await this.put(next, current.version);
        return next;
      } catch (error) {
        if (!(error instanceof VersionConflict)) throw error;
        // Full jitter, growing with the attempts, so a crowd of voters spreads out.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * attempt)));
      }
    }
    throw new VoteContentionError(requestId, this.maxAttempts);
  }

  private async put(item: StoredRequest, expectedVersion: number): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          // Plain JSON by construction; the round trip drops undefined members.
          Item: JSON.parse(JSON.stringify(item)),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new VersionConflict();
      throw error;
    }
  }
}

function requestSealPayload(request: StoredRequest): string {
  return sealPayload('request', [
    request.requestId,
    request.keyArn,
    request.requester,
    request.requesterMember ?? request.requester,
    request.approvalsRequired,
    request.createdAt,
    request.deadline,
  ]);
}

function voteSealPayload(request: StoredRequest, member: string, decision: Decision, at: string): string {
  return sealPayload('vote', [
    request.requestId,
    request.keyArn,
    request.checkValue ?? '',
    member,
    decision,
    at,
  ]);
}
