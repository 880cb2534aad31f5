// The console's Rotations and approvals: the same authenticated approvals API the CLI's
// rotate/approvals/approve/reject commands call (approvalsClientFor: the local stack's API found at
// /_byok/approvals, else BYOK_APPROVALS_URL, the deployed function URL), signed with this console
// process's own credentials. So the voter is whoever the console's credentials are, never a name
// from the page, and self-approval or a second vote is refused by the API exactly as in the CLI.
// What reaches the page is picked field by field: never a task token, never material.
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { z } from 'zod';
import type { ApprovalsClient } from '../../core/approvals/client.ts';
import {
  type ApprovalRequestView,
  CreateRequestBodySchema,
  RequestIdSchema,
  VoteBodySchema,
} from '../../core/approvals/contracts.ts';
import { createSfnClient, createStsClient } from '../../core/aws/clients.ts';
import { approvalsClientFor, callApi } from '../cli/approvals-client.ts';
import { CONSOLE_AWS_REQUEST_TIMEOUT_MS, type ConsoleBackend } from './backend.ts';
import { ConsoleInvalidRequestError } from './errors.ts';
import type { ApprovalView } from './wire.ts';

export interface ConsoleApprovals {
  /** The console user's authenticated identity (a principal ARN, or the local convention's). */
  identity(): Promise<string>;
  list(): Promise<ApprovalView[]>;
  request(body: unknown): Promise<ApprovalView>;
  vote(requestId: string, body: unknown): Promise<{ outcome: string; request: ApprovalView }>;
}

export function toApprovalView(request: ApprovalRequestView): ApprovalView {
  return {
    requestId: request.requestId,
    keyId: request.keyId,
    keyArn: request.keyArn,
    requester: request.requester,
    reason: request.reason,
    status: request.status,
    checkValue: request.checkValue ?? null,
    newMaterialHsmKey: request.newMaterialHsmKey ?? null,
    approvals: request.approvals,
    approvalsRequired: request.approvalsRequired,
    votes: request.votes.map(({ identity, decision, reason, at }) => ({ identity, decision, reason, at })),
    createdAt: request.createdAt,
    deadline: request.deadline,
    executionArn: request.executionArn ?? null,
    endReason: request.endReason ?? null,
  };
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ConsoleInvalidRequestError(
    parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`),
  );
}

export function createConsoleApprovals(
  backend: ConsoleBackend,
  region: string | undefined,
  profile?: string | undefined,
): ConsoleApprovals {
  let client: Promise<{ api: ApprovalsClient; credentials: AwsCredentialIdentityProvider }> | undefined;
  const connect = () => {
    client ??= (async () => {
      const api = await approvalsClientFor({ endpoint: backend.endpoint, region, profile });
      // The default credential chain, as approvalsClientFor signs with (never the local stack's
      // static SDK credentials, which name nobody).
      const source = createSfnClient({ region, profile });
      const credentials = source.config.credentials;
      return { api, credentials };
    })().catch((error: unknown) => {
      client = undefined;
      throw error;
    });
    return client;
  };
  let identity: Promise<string> | undefined;
  return {
    identity() {
      identity ??= (async () => {
        if (backend.endpoint) {
          // The local convention (src/core/approvals/local-identity.ts): the access key id names the
          // caller, as a user of the stack's account (read from one of its state machine ARNs).
          const { credentials } = await connect();
          const user = `user/${(await credentials()).accessKeyId}`;
          const machine = await backend.stateMachineArn('import-key-material').catch(() => '');
          const account = /^arn:aws[a-z-]*:states:[^:]*:(\d{12}):/.exec(machine)?.[1];
          return account ? `arn:aws:iam::${account}:${user}` : user;
        }
        // The identity the votes are signed with: --profile's, as approvalsClientFor signs.
        const sts = createStsClient({
          region: await backend.sfn.config.region(),
          profile,
          requestTimeoutMs: CONSOLE_AWS_REQUEST_TIMEOUT_MS,
        });
        try {
          return (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? 'unknown';
        } finally {
          sts.destroy();
        }
      })().catch((error: unknown) => {
        identity = undefined;
        throw error;
      });
      return identity;
    },
    async list() {
      const { api } = await connect();
      const { requests } = await callApi(() => api.listRequests());
      return requests.map(toApprovalView).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    },
    async request(body) {
      const input = parse(CreateRequestBodySchema, body);
      const { api } = await connect();
      return toApprovalView((await callApi(() => api.requestRotation(input))).request);
    },
    async vote(requestId, body) {
      parse(RequestIdSchema, requestId);
      const input = parse(VoteBodySchema, body);
      const { api } = await connect();
      const answer = await callApi(() => api.vote(requestId, input));
      return { outcome: answer.outcome, request: toApprovalView(answer.request) };
    },
  };
}
