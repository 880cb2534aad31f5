// Issue 9 part 2 over real HTTP: the approvals API mounted on a node:http server with the local
// SigV4 identity convention, requests signed by ApprovalsClient (the SDK's SigV4 signer), the store
// on dynalite, M read from the key's tag through the real local KMS endpoint. The rotation workflow
// is stood in for by recording ports (starting it; receiving SendTaskSuccess/SendTaskFailure) and
// by calling openForVotes as its approval step will.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kmsKeyDirectory } from '../../../src/core/approvals/adapters.ts';
import { ApprovalsApiError, ApprovalsClient } from '../../../src/core/approvals/client.ts';
import { createApprovalsApi, localHttpListener } from '../../../src/core/approvals/http.ts';
import { APPROVAL_REJECTED_ERROR, type TaskResultPort } from '../../../src/core/approvals/service.ts';
import { NodeSha256 } from '../../../src/core/approvals/sha256.ts';
import type { ApprovalsStore } from '../../../src/core/approvals/store.ts';
import { principalsAsMembers } from '../../../src/core/approvals/team.ts';
import { createKmsClient } from '../../../src/core/aws/clients.ts';
import { createBindingsStore } from '../../../src/core/bindings/factory.ts';
import { TAG_APPROVALS_REQUIRED } from '../../../src/core/import/tags.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { type ApprovalsTestBed, startApprovalsTestBed, TestClock } from '../../helpers/approvals.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';

const ACCOUNT = '111122223333';
const TOKEN = 'task-token-that-must-never-leave-the-store';
/** Secrets the local mount knows, so those callers' signatures are verified in full. */
const SECRETS: Record<string, string> = {
  requester: 'requester-secret',
  alice: 'alice-secret',
  bob: 'bob-secret',
};

let stack: LocalStack;
let kms: KMSClient;
let bed: ApprovalsTestBed;
let server: Server;
let endpoint: string;
let store: ApprovalsStore;
let clock: TestClock;
const started: Array<{ requestId: string; keyArn: string }> = [];
const taskCalls: Array<{ kind: 'success' | 'failure'; input: Record<string, string> }> = [];
let failTaskCalls = false;

const taskResults: TaskResultPort = {
  async sendTaskSuccess(input) {
    taskCalls.push({ kind: 'success', input });
    if (failTaskCalls) throw Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' });
  },
  async sendTaskFailure(input) {
    taskCalls.push({ kind: 'failure', input });
  },
};

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  kms = createKmsClient({ endpoint: stack.url, region: stack.region });
  bed = await startApprovalsTestBed();
  clock = new TestClock(new Date());
  ({ store } = await bed.newStore(clock));
  const api = createApprovalsApi({
    store,
    clock,
    team: principalsAsMembers(),
    keys: kmsKeyDirectory(kms),
    rotations: {
      async startRotation(input) {
        started.push(input);
        return {
          executionArn: `arn:aws:states:us-east-1:${ACCOUNT}:execution:rotate-key-material:${input.requestId}`,
        };
      },
    },
    taskResults,
    bindings: createBindingsStore({ endpoint: stack.url }),
  });
  server = createServer(
    localHttpListener(api, { accountId: ACCOUNT, secretFor: (accessKeyId) => SECRETS[accessKeyId] }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server?.close(() => resolve());
    server?.closeAllConnections();
  });
  kms?.destroy();
  await bed?.close();
  await stack?.stop();
});

beforeEach(() => {
  taskCalls.length = 0;
  failTaskCalls = false;
});

function as(accessKeyId: string, secretAccessKey = SECRETS[accessKeyId] ?? 'unknown-to-the-stack') {
  return new ApprovalsClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId, secretAccessKey },
  });
}

const arnOf = (accessKeyId: string) => `arn:aws:iam::${ACCOUNT}:user/${accessKeyId}`;

async function refusal(promise: Promise<unknown>): Promise<ApprovalsApiError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApprovalsApiError);
  return error as ApprovalsApiError;
}

async function keyRequiring(approvals?: string): Promise<string> {
  return createManagedExternalKey(kms, {
    hsmKeyLabel: 'payments',
    tags: approvals === undefined ? [] : [{ TagKey: TAG_APPROVALS_REQUIRED, TagValue: approvals }],
  });
}

/** What the rotation workflow's approval step does once the new material exists in the HSM. */
async function workflowReachesApproval(requestId: string): Promise<void> {
  await store.openForVotes(requestId, {
    taskToken: TOKEN,
    checkValue: '1a2b3c',
    newMaterialHsmKey: 'payments-2',
  });
}

describe('approvals API over HTTP with the local SigV4 convention', () => {
  it('needs two approvers besides the requester, counts each once, and tells the workflow once', async () => {
    // Prepare
    const keyId = await keyRequiring('2');

    // Act
    const { request } = await as('requester').requestRotation({ keyId, reason: 'yearly rotation' });
    const tooEarly = await refusal(
      as('alice').vote(request.requestId, { decision: 'approve', reason: 'ok' }),
    );
    await workflowReachesApproval(request.requestId);
    const self = await refusal(
      as('requester').vote(request.requestId, { decision: 'approve', reason: 'mine' }),
    );
    const first = await as('alice').vote(request.requestId, {
      decision: 'approve',
      reason: 'checked the KCV',
    });
    const twice = await refusal(
      as('alice').vote(request.requestId, { decision: 'approve', reason: 'again' }),
    );
    const listed = await as('carol').listRequests({ status: 'PENDING' });
    const second = await as('bob').vote(request.requestId, { decision: 'approve', reason: 'agreed' });
    const late = await refusal(as('carol').vote(request.requestId, { decision: 'approve', reason: 'late' }));

    // Assess
    expect(request).toMatchObject({
      keyId,
      requester: arnOf('requester'),
      reason: 'yearly rotation',
      approvalsRequired: 2,
      status: 'AWAITING_MATERIAL',
      executionArn: expect.stringContaining(request.requestId),
    });
    expect(started).toContainEqual({ requestId: request.requestId, keyArn: request.keyArn });
    expect([tooEarly.code, tooEarly.status]).toEqual(['RequestNotReadyError', 409]);
    expect([self.code, self.status]).toEqual(['SelfApprovalError', 403]);
    expect(first.outcome).toBe('recorded');
    expect([twice.code, twice.status]).toEqual(['DuplicateVoteError', 409]);
    const pending = listed.requests.find((candidate) => candidate.requestId === request.requestId);
    expect(pending).toMatchObject({ checkValue: '1a2b3c', approvals: 1, newMaterialHsmKey: 'payments-2' });
    expect(pending?.votes).toEqual([
      {
        identity: arnOf('alice'),
        principal: arnOf('alice'),
        decision: 'approve',
        reason: 'checked the KCV',
        at: expect.any(String),
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain(TOKEN);
    expect(second.outcome).toBe('approved');
    expect(second.request.status).toBe('APPROVED');
    expect(JSON.stringify(second)).not.toContain(TOKEN);
    expect([late.code, late.status]).toEqual(['RequestEndedError', 409]);
    expect(taskCalls).toHaveLength(1);
    expect(taskCalls[0]?.kind).toBe('success');
    expect(taskCalls[0]?.input.taskToken).toBe(TOKEN);
    expect(JSON.parse(taskCalls[0]?.input.output ?? '{}')).toEqual({
      requestId: request.requestId,
      status: 'APPROVED',
      approvers: [arnOf('alice'), arnOf('bob')],
    });
  });

  it('ends the request on one rejection and fails the waiting task with ApprovalRejectedError', async () => {
    // Prepare
    const keyId = await keyRequiring();
    const { request } = await as('requester').requestRotation({ keyId, reason: 'rotate' });
    await workflowReachesApproval(request.requestId);

    // Act
    const rejected = await as('alice').vote(request.requestId, {
      decision: 'reject',
      reason: 'wrong HSM key',
    });
    const after = await refusal(as('bob').vote(request.requestId, { decision: 'approve', reason: 'ok' }));

    // Assess
    expect(request.approvalsRequired).toBe(1);
    expect(rejected.outcome).toBe('rejected');
    expect(rejected.request.status).toBe('REJECTED');
    expect(after.code).toBe('RequestEndedError');
    expect(taskCalls).toEqual([
      {
        kind: 'failure',
        input: {
          taskToken: TOKEN,
          error: APPROVAL_REJECTED_ERROR,
          cause: `approval request ${request.requestId} was rejected by ${arnOf('alice')}: wrong HSM key`,
        },
      },
    ]);
  });

  it('takes ten concurrent votes from distinct identities: M recorded, the rest refused, one SendTaskSuccess', async () => {
    // Prepare
    const keyId = await keyRequiring('5');
    const { request } = await as('requester').requestRotation({ keyId, reason: 'rotate under load' });
    await workflowReachesApproval(request.requestId);
    const voters = Array.from({ length: 10 }, (_, index) => `approver${index}`);

    // Act
    const results = await Promise.allSettled(
      voters.map((voter) =>
        as(voter).vote(request.requestId, { decision: 'approve', reason: `from ${voter}` }),
      ),
    );
    const { request: final } = await as('carol').getRequest(request.requestId);

    // Assess
    const outcomes = results.flatMap((result) =>
      result.status === 'fulfilled' ? [result.value.outcome] : [],
    );
    const refusals = results.flatMap((result) =>
      result.status === 'rejected' ? [(result.reason as ApprovalsApiError).code] : [],
    );
    expect(outcomes.sort()).toEqual(['approved', 'recorded', 'recorded', 'recorded', 'recorded']);
    expect(refusals).toEqual(Array(5).fill('RequestEndedError'));
    expect(final.status).toBe('APPROVED');
    expect(final.approvals).toBe(5);
    expect(final.votes).toHaveLength(5);
    expect(new Set(final.votes.map((vote) => vote.identity)).size).toBe(5);
    expect(taskCalls.filter((call) => call.kind === 'success')).toHaveLength(1);
  });

  it('keeps the quorum when the waiting task cannot be told, and says so with TaskNotificationError', async () => {
    // Prepare
    const keyId = await keyRequiring('1');
    const { request } = await as('requester').requestRotation({ keyId, reason: 'rotate' });
    await workflowReachesApproval(request.requestId);
    failTaskCalls = true;

    // Act
    const failed = await refusal(as('alice').vote(request.requestId, { decision: 'approve', reason: 'ok' }));
    const stored = await store.get(request.requestId);

    // Assess
    expect([failed.code, failed.status]).toEqual(['TaskNotificationError', 502]);
    expect(stored.status).toBe('APPROVED');
    expect(stored.notification).toMatchObject({ status: 'failed', error: 'TaskTimedOut' });
  });

  it('refuses keys byok does not manage, bad approval tags and unknown requests with named errors', async () => {
    // Prepare
    const unmanaged = (await kms.send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata?.KeyId ?? '';
    const badTag = await keyRequiring('seven');
    const tooMany = await keyRequiring('6');

    // Act
    const notManaged = await refusal(as('requester').requestRotation({ keyId: unmanaged, reason: 'rotate' }));
    const invalid = await refusal(as('requester').requestRotation({ keyId: badTag, reason: 'rotate' }));
    const overLimit = await refusal(as('requester').requestRotation({ keyId: tooMany, reason: 'rotate' }));
    const missing = await refusal(as('alice').getRequest('00000000-0000-4000-8000-000000000000'));

    // Assess
    expect([notManaged.code, notManaged.status]).toEqual(['KeyNotEligibleError', 400]);
    expect([invalid.code, invalid.status]).toEqual(['ApprovalsRequiredTagInvalidError', 400]);
    expect(overLimit.code).toBe('ApprovalsRequiredTagInvalidError');
    expect([missing.code, missing.status]).toEqual(['ApprovalRequestNotFoundError', 404]);
  });

  it('refuses a rotation of a key whose HSM key is not bound to it: HsmKeyNotBoundError, no request, nothing started', async () => {
    // Prepare: tagged for byok, but no administrator bound the HSM key to it.
    const keyId = await createManagedExternalKey(kms, { hsmKeyLabel: 'unbound-payments', unbound: true });
    const before = started.length;

    // Act
    const refused = await refusal(as('requester').requestRotation({ keyId, reason: 'rotate' }));
    const { requests } = await as('alice').listRequests();

    // Assess
    expect([refused.code, refused.status]).toEqual(['HsmKeyNotBoundError', 400]);
    expect(refused.hint).toContain('byok bindings add --hsm-key unbound-payments --key-id arn:aws:kms:');
    expect(requests.filter((request) => request.keyId === keyId)).toEqual([]);
    expect(started.length).toBe(before);
  });

  it('answers KeyNotEligibleError, not a 500, when KMS denies DescribeKey (deployed: a key byok does not manage)', async () => {
    // Prepare: deployed, the API's role may describe only byok:managed keys; others are AccessDenied.
    const keyId = await keyRequiring();
    const faults = async (body?: unknown) => {
      await fetch(`${stack.url}/_byok/faults`, {
        method: body ? 'POST' : 'DELETE',
        headers: { 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    };
    await faults({
      faults: [{ operation: 'DescribeKey', exception: 'AccessDeniedException', status: 400, count: 1 }],
    });

    // Act
    const denied = await refusal(as('requester').requestRotation({ keyId, reason: 'rotate' }));
    await faults();

    // Assess
    expect([denied.code, denied.status]).toEqual(['KeyNotEligibleError', 400]);
  });
});

describe('approvals API: identity comes only from the signature', () => {
  async function rawSigned(
    options: { accessKeyId: string; secretAccessKey: string; signingDate?: Date },
    path: string,
    body: string,
    tamperedBody?: string,
  ): Promise<{ status: number; json: { error?: string; message?: string } }> {
    const url = new URL(path, endpoint);
    // No x-amz-content-sha256 header (applyChecksum false, as SDK JSON clients sign): only the
    // signature itself covers the body.
    const signer = new SignatureV4({
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      region: 'us-east-1',
      service: 'lambda',
      sha256: NodeSha256,
      applyChecksum: false,
    });
    const signed = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers: { host: url.host, 'content-type': 'application/json' },
        body,
      },
      options.signingDate ? { signingDate: options.signingDate } : {},
    );
    const response = await fetch(url, {
      method: 'POST',
      headers: signed.headers,
      body: tamperedBody ?? body,
    });
    return { status: response.status, json: (await response.json()) as { error?: string } };
  }

  it('refuses unsigned calls, a body naming an approver, stale and forged signatures', async () => {
    // Prepare
    const keyId = await keyRequiring('2');
    const { request } = await as('requester').requestRotation({ keyId, reason: 'rotate' });
    await workflowReachesApproval(request.requestId);
    const votePath = `/requests/${request.requestId}/votes`;
    const vote = JSON.stringify({ decision: 'approve', reason: 'ok' });

    // Act
    const unsigned = await fetch(new URL(votePath, endpoint), { method: 'POST', body: vote });
    const namedInBody = await refusal(
      as('alice').vote(request.requestId, {
        decision: 'approve',
        reason: 'ok',
        approver: arnOf('bob'),
      } as never),
    );
    const stale = await rawSigned(
      {
        accessKeyId: 'bob',
        secretAccessKey: SECRETS.bob ?? '',
        signingDate: new Date(Date.now() - 3_600_000),
      },
      votePath,
      vote,
    );
    const wrongSecret = await rawSigned({ accessKeyId: 'bob', secretAccessKey: 'guessed' }, votePath, vote);
    const tampered = await rawSigned(
      { accessKeyId: 'bob', secretAccessKey: SECRETS.bob ?? '' },
      votePath,
      vote,
      JSON.stringify({ decision: 'reject', reason: 'ok' }),
    );
    const before = await store.get(request.requestId);
    const genuine = await rawSigned(
      { accessKeyId: 'bob', secretAccessKey: SECRETS.bob ?? '' },
      votePath,
      vote,
    );
    const after = await store.get(request.requestId);

    // Assess
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as { error: string }).error).toBe('UnauthenticatedError');
    expect([namedInBody.code, namedInBody.status]).toEqual(['InvalidApprovalInputError', 400]);
    expect(stale).toMatchObject({ status: 401, json: { error: 'UnauthenticatedError' } });
    expect(stale.json.message).toContain('15 minutes');
    expect(wrongSecret).toMatchObject({ status: 401, json: { error: 'UnauthenticatedError' } });
    expect(wrongSecret.json.message).toContain('signature does not match');
    expect(tampered).toMatchObject({ status: 401, json: { error: 'UnauthenticatedError' } });
    expect(tampered.json.message).toContain('signature does not match');
    expect(before.votes).toEqual({});
    expect(genuine.status).toBe(200);
    expect(Object.keys(after.votes)).toEqual([arnOf('bob')]);
  });

  it('names an unknown access key id as an IAM user of the local account (signature not verifiable)', async () => {
    // Prepare
    const keyId = await keyRequiring('1');

    // Act
    const { request } = await as('AKIAEXAMPLELOCAL', 'whatever').requestRotation({ keyId, reason: 'rotate' });

    // Assess
    expect(request.requester).toBe(`arn:aws:iam::${ACCOUNT}:user/AKIAEXAMPLELOCAL`);
  });
});
