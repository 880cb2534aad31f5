// The console's approvals module, without a network: what reaches the page is picked field by
// field (no task token even if the API answered one), and a body naming an approver or missing a
// reason is refused by name before any call to the approvals API.
import { describe, expect, it } from 'vitest';
import type { ApprovalRequestView } from '../../../../src/core/approvals/contracts.ts';
import { createConsoleApprovals, toApprovalView } from '../../../../src/onprem/console/approvals.ts';
import type { ConsoleBackend } from '../../../../src/onprem/console/backend.ts';
import { ConsoleInvalidRequestError } from '../../../../src/onprem/console/errors.ts';

const REQUEST_ID = '3f2c9a1e-0b7d-4c55-9a2e-5b1d2c3e4f50';

const request: ApprovalRequestView = {
  requestId: REQUEST_ID,
  keyId: '11111111-2222-3333-4444-555555555555',
  keyArn: 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555',
  requester: 'arn:aws:iam::111122223333:user/alice',
  reason: 'yearly',
  approvalsRequired: 1,
  approvals: 0,
  createdAt: '2026-11-30T10:00:00.000Z',
  deadline: '2026-12-03T10:00:00.000Z',
  status: 'PENDING',
  checkValue: 'a1b2c3',
  votes: [
    {
      identity: 'arn:aws:iam::111122223333:user/bob',
      decision: 'approve',
      reason: 'ok',
      at: '2026-11-30T11:00:00.000Z',
    },
  ],
};

/** A backend no call may reach: the refusals below happen before the approvals API is looked up. */
const unreachableBackend = {
  endpoint: 'http://127.0.0.1:1',
  get sfn(): never {
    throw new Error('the approvals API was reached');
  },
} as unknown as ConsoleBackend;

async function refusal(promise: Promise<unknown>): Promise<ConsoleInvalidRequestError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConsoleInvalidRequestError);
  return error as ConsoleInvalidRequestError;
}

describe('console approvals', () => {
  it('copies a request field by field: a task token (or anything else) the API might add stays out', () => {
    // Prepare
    const leaky = { ...request, taskToken: 'byok1.secret', version: 3 } as ApprovalRequestView;

    // Act
    const view = toApprovalView(leaky);

    // Assess
    expect(JSON.stringify(view)).not.toContain('byok1.secret');
    expect(Object.keys(view)).not.toContain('taskToken');
    expect(view).toMatchObject({ requestId: REQUEST_ID, checkValue: 'a1b2c3', executionArn: null });
    expect(view.votes).toEqual(request.votes);
  });

  it('refuses a vote naming an approver, without a reason, or on a malformed request id, before any call', async () => {
    // Prepare
    const approvals = createConsoleApprovals(unreachableBackend, 'us-east-1');

    // Act
    const named = await refusal(
      approvals.vote(REQUEST_ID, { decision: 'approve', reason: 'ok', approver: 'mallory' }),
    );
    const noReason = await refusal(approvals.vote(REQUEST_ID, { decision: 'approve', reason: '  ' }));
    const badId = await refusal(approvals.vote('../requests', { decision: 'approve', reason: 'ok' }));
    const badDecision = await refusal(approvals.vote(REQUEST_ID, { decision: 'abstain', reason: 'ok' }));

    // Assess
    expect(named.issues.join(' ')).toContain('approver');
    expect(noReason.issues.join(' ')).toContain('reason');
    expect(badId.issues.length).toBeGreaterThan(0);
    expect(badDecision.issues.join(' ')).toContain('decision');
  });

  it('refuses a rotation request with an alias or an extra field, before any call', async () => {
    // Prepare
    const approvals = createConsoleApprovals(unreachableBackend, 'us-east-1');

    // Act
    const alias = await refusal(approvals.request({ keyId: 'alias/payments', reason: 'yearly' }));
    const extra = await refusal(
      approvals.request({ keyId: request.keyId, reason: 'yearly', requester: 'arn:aws:iam::1:user/x' }),
    );

    // Assess
    expect(alias.issues.join(' ')).toContain('keyId');
    expect(extra.issues.join(' ')).toContain('requester');
  });
});
