import { describe, expect, it } from 'vitest';
import type { StoredRequest } from '../../../../src/core/approvals/contracts.ts';
import {
  ApprovalsRequiredTagInvalidError,
  DuplicateVoteError,
  NotApprovedError,
  RequestEndedError,
  RequestNotReadyError,
  SelfApprovalError,
} from '../../../../src/core/approvals/errors.ts';
import {
  approvalsRequiredFromTags,
  assertApproved,
  decideVote,
} from '../../../../src/core/approvals/policy.ts';
import { TAG_APPROVALS_REQUIRED } from '../../../../src/core/import/tags.ts';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const user = (name: string) => `arn:aws:iam::111122223333:user/${name}`;
const NOW = new Date('2026-11-30T12:00:00.000Z');

function request(overrides: Partial<StoredRequest> = {}): StoredRequest {
  return {
    requestId: '6f1c7b9e-2d7a-4c1e-9a53-0c2f6f1d2e3a',
    keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    keyArn: KEY_ARN,
    requester: user('requester'),
    reason: 'rotate',
    approvalsRequired: 2,
    createdAt: '2026-11-30T11:00:00.000Z',
    deadline: '2026-12-03T11:00:00.000Z',
    status: 'PENDING',
    checkValue: 'a1b2c3',
    taskToken: 'token',
    votes: {},
    approvals: 0,
    version: 1,
    ...overrides,
  };
}

const approve = { decision: 'approve' as const, reason: 'ok', at: '2026-11-30T11:30:00.000Z' };

describe('approvalsRequiredFromTags', () => {
  it.each([
    { tags: [], expected: 1 },
    { tags: [{ TagKey: TAG_APPROVALS_REQUIRED, TagValue: '1' }], expected: 1 },
    { tags: [{ TagKey: TAG_APPROVALS_REQUIRED, TagValue: '5' }], expected: 5 },
    { tags: [{ TagKey: TAG_APPROVALS_REQUIRED, TagValue: ' 3 ' }], expected: 3 },
    { tags: [{ TagKey: 'other', TagValue: '4' }], expected: 1 },
  ])('reads $tags as $expected', ({ tags, expected }) => {
    // Act
    const required = approvalsRequiredFromTags('k', tags);

    // Assess
    expect(required).toBe(expected);
  });

  it.each(['0', '6', '2.5', 'two', '', '-1', '10'])(
    'refuses %j with ApprovalsRequiredTagInvalidError',
    (value) => {
      // Act
      const act = () => approvalsRequiredFromTags('k', [{ TagKey: TAG_APPROVALS_REQUIRED, TagValue: value }]);

      // Assess
      expect(act).toThrow(ApprovalsRequiredTagInvalidError);
    },
  );
});

describe('decideVote', () => {
  it('counts approvals up to M and ends the request at M', () => {
    // Prepare
    const once = request({ approvals: 1, votes: { [user('alice')]: approve } });

    // Act
    const first = decideVote(request(), user('alice'), 'approve', NOW);
    const second = decideVote(once, user('bob'), 'approve', NOW);

    // Assess
    expect(first).toEqual({ status: 'PENDING', approvals: 1 });
    expect(second).toEqual({ status: 'APPROVED', approvals: 2, ended: 'APPROVED' });
  });

  it('ends the request with one rejection', () => {
    // Act
    const effect = decideVote(request(), user('alice'), 'reject', NOW);

    // Assess
    expect(effect).toEqual({ status: 'REJECTED', approvals: 0, ended: 'REJECTED' });
  });

  it.each([
    { name: 'the requester', input: request(), voter: user('requester'), error: SelfApprovalError },
    {
      name: 'a second vote',
      input: request({ votes: { [user('alice')]: approve }, approvals: 1 }),
      voter: user('alice'),
      error: DuplicateVoteError,
    },
    {
      name: 'an ended request',
      input: request({ status: 'REJECTED' }),
      voter: user('alice'),
      error: RequestEndedError,
    },
    {
      name: 'a request past its deadline',
      input: request({ deadline: '2026-11-30T12:00:00.000Z' }),
      voter: user('alice'),
      error: RequestEndedError,
    },
    {
      name: 'a request without material yet',
      input: request({ status: 'AWAITING_MATERIAL' }),
      voter: user('alice'),
      error: RequestNotReadyError,
    },
  ])('refuses $name', ({ input, voter, error }) => {
    // Act
    const act = () => decideVote(input, voter, 'approve', NOW);

    // Assess
    expect(act).toThrow(error);
  });
});

const allSealed = (input: StoredRequest) => ({ request: true, voters: new Set(Object.keys(input.votes)) });

describe('assertApproved (the workflow re-check)', () => {
  const approved = request({
    status: 'APPROVED',
    approvals: 2,
    votes: { [user('alice')]: approve, [user('bob')]: approve },
  });

  it('accepts M distinct approvers other than the requester for this key and material', () => {
    // Act
    const act = () =>
      assertApproved(approved, { keyArn: KEY_ARN, checkValue: 'A1B2C3' }, allSealed(approved));

    // Assess
    expect(act).not.toThrow();
  });

  it.each([
    { name: 'a pending request', input: request({ status: 'PENDING' }), expected: {} },
    { name: 'another key', input: approved, expected: { keyArn: `${KEY_ARN}0` } },
    { name: 'another material', input: approved, expected: { checkValue: 'ffffff' } },
    {
      name: 'a stored counter without the votes behind it',
      input: request({ status: 'APPROVED', approvals: 2, votes: { [user('alice')]: approve } }),
      expected: {},
    },
    {
      name: "the requester's own approval",
      input: request({
        status: 'APPROVED',
        approvals: 2,
        votes: { [user('alice')]: approve, [user('requester')]: approve },
      }),
      expected: {},
    },
    {
      name: 'a recorded rejection',
      input: request({
        status: 'APPROVED',
        approvals: 2,
        votes: {
          [user('alice')]: approve,
          [user('bob')]: approve,
          [user('carol')]: { ...approve, decision: 'reject' as const },
        },
      }),
      expected: {},
    },
  ])('refuses $name with NotApprovedError', ({ input, expected }) => {
    // Act
    const act = () => assertApproved(input, { keyArn: KEY_ARN, ...expected }, allSealed(input));

    // Assess
    expect(act).toThrow(NotApprovedError);
  });
});

describe('assertApproved counts only what the approvals API sealed (issue 22 item 6)', () => {
  const approved = request({
    status: 'APPROVED',
    approvals: 2,
    votes: { [user('alice')]: approve, [user('bob')]: approve },
  });

  it.each([
    {
      name: 'a vote written straight into the table',
      sealed: { request: true, voters: new Set([user('alice')]) },
    },
    {
      name: 'a request whose requester or M were rewritten',
      sealed: { request: false, voters: new Set([user('alice'), user('bob')]) },
    },
  ])('refuses $name with NotApprovedError', ({ sealed }) => {
    // Act
    const act = () => assertApproved(approved, { keyArn: KEY_ARN }, sealed);

    // Assess
    expect(act).toThrow(NotApprovedError);
  });
});

describe('approvals required: the administrator sets M, a tag may only raise it (issue 22 item 5)', () => {
  it.each([
    { minimum: 2, tag: undefined, expected: 2 },
    { minimum: 2, tag: '1', expected: 2 },
    { minimum: 2, tag: '3', expected: 3 },
    { minimum: 1, tag: '4', expected: 4 },
  ])('minimum $minimum with tag $tag needs $expected', ({ minimum, tag, expected }) => {
    // Prepare
    const tags = tag === undefined ? [] : [{ TagKey: TAG_APPROVALS_REQUIRED, TagValue: tag }];

    // Act
    const required = approvalsRequiredFromTags('k', tags, minimum);

    // Assess
    expect(required).toBe(expected);
  });
});

describe('one member, one vote, whatever the principal (issue 16 item 5)', () => {
  it('refuses the requester member voting through another principal (SelfApprovalError)', () => {
    // Prepare: alice asked as her IAM user; the vote comes from her member, whatever she signs with.
    const input = request({ requester: user('alice'), requesterMember: 'alice' });

    // Act
    const act = () => decideVote(input, 'alice', 'approve', NOW);

    // Assess
    expect(act).toThrow(SelfApprovalError);
  });
});
