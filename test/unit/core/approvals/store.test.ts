import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredRequest } from '../../../../src/core/approvals/contracts.ts';
import {
  ApprovalRequestNotFoundError,
  DuplicateVoteError,
  NotApprovedError,
  RequestEndedError,
  RequestNotReadyError,
  RequestStateError,
  SelfApprovalError,
} from '../../../../src/core/approvals/errors.ts';
import { verifyApprovedRequest } from '../../../../src/core/approvals/service.ts';
import type { ApprovalsStore } from '../../../../src/core/approvals/store.ts';
import { type ApprovalsTestBed, startApprovalsTestBed, TestClock } from '../../../helpers/approvals.ts';

const ACCOUNT = '111122223333';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const REQUESTER = `arn:aws:iam::${ACCOUNT}:user/requester`;
const HOUR = 3_600_000;

const user = (name: string) => `arn:aws:iam::${ACCOUNT}:user/${name}`;

let bed: ApprovalsTestBed;

beforeAll(async () => {
  bed = await startApprovalsTestBed();
});

afterAll(async () => {
  await bed?.close();
});

async function openRequest(
  store: ApprovalsStore,
  clock: TestClock,
  approvalsRequired: number,
): Promise<StoredRequest> {
  const created = await store.create({
    keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    keyArn: KEY_ARN,
    requester: REQUESTER,
    reason: 'yearly rotation',
    approvalsRequired,
    deadline: new Date(clock.now().getTime() + 72 * HOUR),
  });
  return store.openForVotes(created.requestId, { taskToken: 'token-1', checkValue: 'a1b2c3' });
}

describe('ApprovalsStore on dynalite', () => {
  it('creates a request awaiting material, opens it for votes and reads it back', async () => {
    // Prepare
    const clock = new TestClock();
    const { store } = await bed.newStore(clock);

    // Act
    const created = await store.create({
      keyId: 'k',
      keyArn: KEY_ARN,
      requester: REQUESTER,
      reason: 'rotate',
      approvalsRequired: 2,
      deadline: new Date(clock.now().getTime() + HOUR),
    });
    const opened = await store.openForVotes(created.requestId, {
      taskToken: 'secret-token',
      checkValue: 'ABCDEF',
      newMaterialHsmKey: 'payments-2',
    });
    const read = await store.get(created.requestId);

    // Assess
    expect(created).toMatchObject({ status: 'AWAITING_MATERIAL', approvals: 0, version: 0, votes: {} });
    expect(created.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(opened).toMatchObject({ status: 'PENDING', version: 1 });
    expect(opened.taskToken).not.toContain('secret-token');
    expect(await store.taskTokenOf(read)).toBe('secret-token');
    expect(read).toEqual(opened);
    await expect(
      store.openForVotes(created.requestId, { taskToken: 'other', checkValue: 'ABCDEF' }),
    ).rejects.toBeInstanceOf(RequestStateError);
  });

  it('refuses the requester, a second vote by the same identity, and an unknown request', async () => {
    // Prepare
    const clock = new TestClock();
    const { store } = await bed.newStore(clock);
    const request = await openRequest(store, clock, 2);

    // Act
    const self = await store.vote(request.requestId, REQUESTER, 'approve', 'me').catch((error) => error);
    const first = await store.vote(request.requestId, user('alice'), 'approve', 'ok');
    const again = await store
      .vote(request.requestId, user('alice'), 'approve', 'again')
      .catch((error) => error);
    const flip = await store
      .vote(request.requestId, user('alice'), 'reject', 'changed')
      .catch((error) => error);
    const unknown = await store
      .vote('00000000-0000-4000-8000-000000000000', user('bob'), 'approve', 'x')
      .catch((error) => error);

    // Assess
    expect(self).toBeInstanceOf(SelfApprovalError);
    expect(first.effect).toEqual({ status: 'PENDING', approvals: 1 });
    expect(again).toBeInstanceOf(DuplicateVoteError);
    expect(flip).toBeInstanceOf(DuplicateVoteError);
    expect(unknown).toBeInstanceOf(ApprovalRequestNotFoundError);
    const stored = await store.get(request.requestId);
    expect(stored.approvals).toBe(1);
    expect(Object.keys(stored.votes)).toEqual([user('alice')]);
  });

  it('approves at the M-th distinct approver and refuses any vote after', async () => {
    // Prepare
    const clock = new TestClock();
    const { store } = await bed.newStore(clock);
    const request = await openRequest(store, clock, 2);
    await store.vote(request.requestId, user('alice'), 'approve', 'ok');

    // Act
    const second = await store.vote(request.requestId, user('bob'), 'approve', 'ok too');
    const late = await store
      .vote(request.requestId, user('carol'), 'approve', 'late')
      .catch((error) => error);

    // Assess
    expect(second.effect).toEqual({ status: 'APPROVED', approvals: 2, ended: 'APPROVED' });
    expect(second.request).toMatchObject({ status: 'APPROVED', endReason: 'quorum reached' });
    expect(late).toBeInstanceOf(RequestEndedError);
    expect((late as RequestEndedError).status).toBe('APPROVED');
  });

  it('ends the request with one rejection, whatever the approvals so far', async () => {
    // Prepare
    const clock = new TestClock();
    const { store } = await bed.newStore(clock);
    const request = await openRequest(store, clock, 3);
    await store.vote(request.requestId, user('alice'), 'approve', 'ok');

    // Act
    const rejected = await store.vote(request.requestId, user('bob'), 'reject', 'wrong key');
    const after = await store.vote(request.requestId, user('carol'), 'approve', 'ok').catch((error) => error);

    // Assess
    expect(rejected.effect).toMatchObject({ status: 'REJECTED', ended: 'REJECTED' });
    expect(rejected.request.endReason).toBe(`rejected by ${user('bob')}`);
    expect(after).toBeInstanceOf(RequestEndedError);
  });

  it('refuses votes before the material exists and after the deadline, closing the request as EXPIRED', async () => {
    // Prepare
    const clock = new TestClock();
    const { store } = await bed.newStore(clock);
    const waiting = await store.create({
      keyId: 'k',
      keyArn: KEY_ARN,
      requester: REQUESTER,
      reason: 'rotate',
      approvalsRequired: 1,
      deadline: new Date(clock.now().getTime() + HOUR),
    });
    const open = await openRequest(store, clock, 1);

    // Act
    const early = await store.vote(waiting.requestId, user('alice'), 'approve', 'ok').catch((error) => error);
    clock.advance(72 * HOUR);
    const late = await store.vote(open.requestId, user('alice'), 'approve', 'ok').catch((error) => error);
    const closed = await store.get(open.requestId);

    // Assess
    expect(early).toBeInstanceOf(RequestNotReadyError);
    expect(late).toBeInstanceOf(RequestEndedError);
    expect((late as RequestEndedError).status).toBe('EXPIRED');
    expect(closed).toMatchObject({ status: 'EXPIRED', endReason: 'deadline passed', votes: {} });
  });

  it.each([
    { approvalsRequired: 5, voters: 10 },
    { approvalsRequired: 3, voters: 10 },
    { approvalsRequired: 5, voters: 5 },
  ])(
    'counts $voters concurrent distinct votes with M=$approvalsRequired: none lost, none twice, one quorum',
    async ({ approvalsRequired, voters }) => {
      // Prepare
      const clock = new TestClock();
      const { store } = await bed.newStore(clock);
      const request = await openRequest(store, clock, approvalsRequired);
      const identities = Array.from({ length: voters }, (_, index) => user(`approver-${index}`));

      // Act
      const results = await Promise.allSettled(
        identities.map((identity) =>
          store.vote(request.requestId, identity, 'approve', `vote of ${identity}`),
        ),
      );
      const stored = await store.get(request.requestId);

      // Assess
      const recorded = results.filter((result) => result.status === 'fulfilled');
      const refused = results.filter((result) => result.status === 'rejected');
      const quorums = recorded.filter((result) => result.value.effect.ended === 'APPROVED');
      expect(recorded).toHaveLength(approvalsRequired);
      expect(quorums).toHaveLength(1);
      for (const result of refused) expect(result.reason).toBeInstanceOf(RequestEndedError);
      expect(stored.status).toBe('APPROVED');
      expect(stored.approvals).toBe(approvalsRequired);
      expect(Object.keys(stored.votes).sort()).toEqual(
        identities.filter((_, index) => results[index]?.status === 'fulfilled').sort(),
      );
      expect(stored.version).toBe(1 + approvalsRequired);
    },
  );

  it('counts one identity once when it sends ten votes at the same time', async () => {
    // Prepare
    const clock = new TestClock();
    const { store } = await bed.newStore(clock);
    const request = await openRequest(store, clock, 2);

    // Act
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        store.vote(request.requestId, user('alice'), 'approve', 'again and again'),
      ),
    );
    const stored = await store.get(request.requestId);

    // Assess
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((candidate) => candidate.status === 'rejected')) {
      expect(result.reason).toBeInstanceOf(DuplicateVoteError);
    }
    expect(stored).toMatchObject({ status: 'PENDING', approvals: 1 });
  });

  it('lists requests by status, oldest first', async () => {
    // Prepare
    const clock = new TestClock();
    const { store } = await bed.newStore(clock);
    const first = await openRequest(store, clock, 1);
    clock.advance(1000);
    const second = await openRequest(store, clock, 2);
    await store.vote(first.requestId, user('alice'), 'approve', 'ok');

    // Act
    const pending = await store.list({ status: 'PENDING' });
    const all = await store.list();

    // Assess
    expect(pending.map((request) => request.requestId)).toEqual([second.requestId]);
    expect(all.map((request) => request.requestId)).toEqual([first.requestId, second.requestId]);
  });
});

describe('verifyApprovedRequest (the workflow re-check against the store)', () => {
  it('passes an approved request and refuses a pending one whose task result was forged', async () => {
    // Prepare
    const clock = new TestClock();
    const { store } = await bed.newStore(clock);
    const approved = await openRequest(store, clock, 1);
    await store.vote(approved.requestId, user('alice'), 'approve', 'ok');
    const pending = await openRequest(store, clock, 2);
    await store.vote(pending.requestId, user('alice'), 'approve', 'ok');

    // Act
    const verified = await verifyApprovedRequest(store, approved.requestId, {
      keyArn: KEY_ARN,
      checkValue: 'a1b2c3',
    });
    const forged = await verifyApprovedRequest(store, pending.requestId, { keyArn: KEY_ARN }).catch(
      (error) => error,
    );
    const unknown = await verifyApprovedRequest(store, '00000000-0000-4000-8000-000000000000', {
      keyArn: KEY_ARN,
    }).catch((error) => error);

    // Assess
    expect(verified.status).toBe('APPROVED');
    expect(forged).toBeInstanceOf(NotApprovedError);
    expect(unknown).toBeInstanceOf(ApprovalRequestNotFoundError);
  });
});
