import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApprovalsApi, functionUrlHandler } from '../../../../src/core/approvals/http.ts';
import type { ApprovalsDeps } from '../../../../src/core/approvals/service.ts';
import { principalsAsMembers } from '../../../../src/core/approvals/team.ts';
import { TAG_HSM_KEY_LABEL, TAG_MANAGED, TAG_MANAGED_VALUE } from '../../../../src/core/import/tags.ts';
import { type ApprovalsTestBed, startApprovalsTestBed, TestClock } from '../../../helpers/approvals.ts';
import { MemoryBindingsStore } from '../../../helpers/bindings.ts';

const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_ARN = `arn:aws:kms:us-east-1:111122223333:key/${KEY_ID}`;
const REQUESTER = 'arn:aws:sts::111122223333:assumed-role/KeyAdmin/alice';

let bed: ApprovalsTestBed;

beforeAll(async () => {
  bed = await startApprovalsTestBed();
});

afterAll(async () => {
  await bed?.close();
});

function event(method: string, path: string, body?: unknown, userArn: string | undefined = REQUESTER) {
  return {
    rawPath: path,
    body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)).toString('base64'),
    isBase64Encoded: true,
    queryStringParameters: undefined,
    requestContext: {
      http: { method },
      ...(userArn ? { authorizer: { iam: { userArn } } } : {}),
    },
  } as unknown as LambdaFunctionURLEvent;
}

const PRIMARY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';

async function deps(overrides: Partial<ApprovalsDeps> = {}): Promise<ApprovalsDeps> {
  const clock = new TestClock();
  const { store } = await bed.newStore(clock);
  return {
    store,
    clock,
    team: principalsAsMembers(),
    keys: {
      async describeForRotation() {
        return { keyArn: KEY_ARN, tags: [{ TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE }] };
      },
    },
    rotations: { startRotation: async ({ requestId }) => ({ executionArn: `arn:execution:${requestId}` }) },
    taskResults: { sendTaskSuccess: async () => ({}), sendTaskFailure: async () => ({}) },
    bindings: new MemoryBindingsStore(),
    ...overrides,
  };
}

describe('approvals API as a Lambda function URL handler', () => {
  it('creates a request as the IAM principal of the request context and reads it back', async () => {
    // Prepare
    const handler = functionUrlHandler(createApprovalsApi(await deps()));

    // Act
    const created = await handler(event('POST', '/requests', { keyId: KEY_ID, reason: 'rotate' }));
    const { request } = JSON.parse(created.body ?? '{}');
    const read = await handler(
      event('GET', `/requests/${request.requestId}`, undefined, 'arn:aws:iam::111122223333:user/bob'),
    );

    // Assess
    expect(created.statusCode).toBe(201);
    expect(request).toMatchObject({ requester: REQUESTER, keyArn: KEY_ARN, approvalsRequired: 1 });
    expect(read.statusCode).toBe(200);
    expect(JSON.parse(read.body ?? '{}').request.requestId).toBe(request.requestId);
  });

  it('answers 401 without IAM auth, 400 for bad input, 404 for unknown routes', async () => {
    // Prepare
    const handler = functionUrlHandler(createApprovalsApi(await deps()));

    // Act
    const anonymous = await handler(event('GET', '/requests', undefined, ''));
    const noReason = await handler(event('POST', '/requests', { keyId: KEY_ID }));
    const alias = await handler(event('POST', '/requests', { keyId: 'alias/payments', reason: 'rotate' }));
    const badId = await handler(event('GET', '/requests/not-a-uuid'));
    const route = await handler(event('GET', '/admin'));

    // Assess
    expect([anonymous.statusCode, JSON.parse(anonymous.body ?? '{}').error]).toEqual([
      401,
      'UnauthenticatedError',
    ]);
    expect([noReason.statusCode, JSON.parse(noReason.body ?? '{}').error]).toEqual([
      400,
      'InvalidApprovalInputError',
    ]);
    expect(alias.statusCode).toBe(400);
    expect(badId.statusCode).toBe(400);
    expect(route.statusCode).toBe(404);
  });

  it('cancels the request when the rotation cannot start, and answers 500 without details', async () => {
    // Prepare
    const seen: unknown[] = [];
    const failing = await deps({
      rotations: {
        startRotation: async () => {
          throw new Error('AccessDeniedException: internal detail');
        },
      },
    });
    const handler = functionUrlHandler(createApprovalsApi(failing, { onError: (error) => seen.push(error) }));

    // Act
    const answer = await handler(event('POST', '/requests', { keyId: KEY_ID, reason: 'rotate' }));
    const stored = await failing.store.list();

    // Assess
    expect(answer.statusCode).toBe(500);
    expect(answer.body).not.toContain('internal detail');
    expect(seen).toHaveLength(1);
    expect(stored.map((request) => request.status)).toEqual(['CANCELLED']);
  });

  it.each([
    ['is bound to no KMS key', [], KEY_ARN],
    ['is bound to the key', [{ hsmKeyLabel: 'payments', keyArn: KEY_ARN }], undefined],
    ["is bound to a replica's primary", [{ hsmKeyLabel: 'payments', keyArn: PRIMARY_ARN }], undefined],
  ])(
    'asks for a rotation whose HSM key %s: refused without a binding, before any request exists',
    async (_case, recorded, refusedFor) => {
      // Prepare
      let started = 0;
      const api = await deps({
        keys: {
          async describeForRotation() {
            return {
              keyArn: KEY_ARN,
              ...(recorded[0]?.keyArn === PRIMARY_ARN ? { primaryArn: PRIMARY_ARN } : {}),
              tags: [
                { TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE },
                { TagKey: TAG_HSM_KEY_LABEL, TagValue: 'payments' },
              ],
            };
          },
        },
        rotations: {
          startRotation: async ({ requestId }) => {
            started += 1;
            return { executionArn: `arn:execution:${requestId}` };
          },
        },
        bindings: new MemoryBindingsStore(recorded),
      });
      const handler = functionUrlHandler(createApprovalsApi(api));

      // Act
      const answer = await handler(event('POST', '/requests', { keyId: KEY_ID, reason: 'rotate' }));
      const body = JSON.parse(answer.body ?? '{}');
      const stored = await api.store.list();

      // Assess
      if (refusedFor) {
        expect(answer.statusCode).toBe(400);
        expect(body.error).toBe('HsmKeyNotBoundError');
        expect(body.hint).toContain(`byok bindings add --hsm-key payments --key-id ${refusedFor}`);
        expect(stored).toEqual([]);
        expect(started).toBe(0);
      } else {
        expect(answer.statusCode).toBe(201);
        expect(stored).toHaveLength(1);
        expect(started).toBe(1);
      }
    },
  );
});
