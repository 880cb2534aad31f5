// A rotation run end to end through the approvals API, as people would run it: one identity asks,
// others approve (local convention: each identity is an access key id), then the rotation
// execution is followed to its end. For `byok simulate --rotate-every` and tests: approvals are
// granted by the identities given (two by default), never by bypassing the API or the workflow's
// re-check.
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ApprovalsClient } from '../../core/approvals/client.ts';
import type { ApprovalRequestView } from '../../core/approvals/contracts.ts';
import { ByokError } from '../../core/shared/errors.ts';

export interface ApprovedRotationOptions {
  /** The approvals API (LocalApprovals.url). */
  approvalsUrl: string;
  region: string;
  /** The local stack's Step Functions API client, to follow the execution. */
  sfn: SFNClient;
  keyId: string;
  reason?: string | undefined;
  /** Access key ids (local identities). */
  requester?: string | undefined;
  approvers?: readonly string[] | undefined;
  /** Real milliseconds between polls (default 20). */
  pollMs?: number | undefined;
  /** Give up after this many polls of one phase (default 3000). */
  maxPolls?: number | undefined;
}

export interface ApprovedRotationResult {
  requestId: string;
  executionArn: string;
  /** The execution's status: SUCCEEDED when the key rotated. */
  status: string;
  error?: string | undefined;
  cause?: string | undefined;
  /** The rotation result (old and new KeyMaterialId, approvers, checks) when it succeeded. */
  output?: unknown;
}

class ApprovedRotationStalledError extends ByokError {
  constructor(requestId: string, phase: string) {
    super(`rotation request ${requestId} did not get past ${phase}`);
    this.name = 'ApprovedRotationStalledError';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runApprovedRotation(options: ApprovedRotationOptions): Promise<ApprovedRotationResult> {
  const pollMs = options.pollMs ?? 20;
  const maxPolls = options.maxPolls ?? 3000;
  const client = (accessKeyId: string) =>
    new ApprovalsClient({
      endpoint: options.approvalsUrl,
      region: options.region,
      credentials: { accessKeyId, secretAccessKey: `${accessKeyId}-local` },
    });
  const requester = client(options.requester ?? 'byok-sim-requester');
  const { request } = await requester.requestRotation({
    keyId: options.keyId,
    reason: options.reason ?? 'scheduled rotation (simulation)',
  });
  let current: ApprovalRequestView = request;
  for (let poll = 0; current.status === 'AWAITING_MATERIAL'; poll += 1) {
    if (poll >= maxPolls) throw new ApprovedRotationStalledError(request.requestId, 'AWAITING_MATERIAL');
    await sleep(pollMs);
    current = (await requester.getRequest(request.requestId)).request;
  }
  for (const approver of options.approvers ?? ['byok-sim-approver-1', 'byok-sim-approver-2']) {
    if (current.status !== 'PENDING') break;
    current = (await client(approver).vote(request.requestId, { decision: 'approve', reason: 'simulation' }))
      .request;
  }
  const executionArn = current.executionArn ?? request.executionArn;
  if (!executionArn) throw new ApprovedRotationStalledError(request.requestId, 'StartExecution');
  for (let poll = 0; poll < maxPolls; poll += 1) {
    const described = await options.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') {
      return {
        requestId: request.requestId,
        executionArn,
        status: described.status ?? 'UNKNOWN',
        error: described.error,
        cause: described.cause,
        output: described.output ? JSON.parse(described.output) : undefined,
      };
    }
    await sleep(pollMs);
  }
  throw new ApprovedRotationStalledError(request.requestId, 'the rotation execution');
}
