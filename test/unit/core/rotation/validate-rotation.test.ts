// ValidateRotation refuses before anything is made, each refusal a named error: a request the
// approvals API never recorded (or for another key, or already under way), and a key byok cannot
// rotate (origin, spec, state, replica, tags), has used its 25 rotations or has one pending, and a
// key whose HSM key no administrator bound to it (before the probe: nothing encrypted, nothing made).
import {
  DescribeKeyCommand,
  EncryptCommand,
  GetKeyRotationStatusCommand,
  type KeyMetadata,
  KMSClient,
  ListKeyRotationsCommand,
  ListResourceTagsCommand,
  type RotationsListEntry,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredRequest } from '../../../../src/core/approvals/contracts.ts';
import { ApprovalRequestNotFoundError } from '../../../../src/core/approvals/errors.ts';
import type { ApprovalsStore } from '../../../../src/core/approvals/store.ts';
import { validateRotation } from '../../../../src/core/rotation/validate-rotation.ts';
import { MemoryBindingsStore } from '../../../helpers/bindings.ts';

const kmsMock = mockClient(KMSClient);
const NOW = new Date('2027-01-01T00:00:00.000Z');
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const REQUEST_ID = '3f2c9a1e-0000-4000-8000-000000000000';

function storedRequest(overrides: Partial<StoredRequest> = {}): StoredRequest {
  return {
    requestId: REQUEST_ID,
    keyId: KEY_ARN,
    keyArn: KEY_ARN,
    requester: 'arn:aws:iam::111122223333:user/alice',
    reason: 'yearly',
    approvalsRequired: 2,
    createdAt: NOW.toISOString(),
    deadline: new Date(NOW.getTime() + 72 * 3_600_000).toISOString(),
    status: 'AWAITING_MATERIAL',
    votes: {},
    approvals: 0,
    version: 1,
    ...overrides,
  };
}

const EXECUTION = `arn:aws:states:us-east-1:111122223333:execution:rotate-key-material:${REQUEST_ID}`;

function storeWith(
  request: StoredRequest | undefined,
  sealed: { request: boolean; execution: boolean } = { request: true, execution: true },
): ApprovalsStore {
  return {
    async get(requestId: string) {
      if (!request) throw new ApprovalRequestNotFoundError(requestId);
      return request;
    },
    async sealedFacts() {
      return { ...sealed, voters: new Set<string>() };
    },
  } as unknown as ApprovalsStore;
}

function keyAs(metadata: Partial<KeyMetadata>, rotations: RotationsListEntry[] = [], tags = true) {
  kmsMock.on(DescribeKeyCommand).resolves({
    KeyMetadata: {
      KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
      Arn: KEY_ARN,
      Origin: 'EXTERNAL',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyState: 'Enabled',
      CurrentKeyMaterialId: 'a'.repeat(64),
      ...metadata,
    },
  });
  kmsMock.on(ListResourceTagsCommand).resolves({
    Tags: tags
      ? [
          { TagKey: 'byok:managed', TagValue: 'true' },
          { TagKey: 'byok:hsm-key-label', TagValue: 'payments' },
        ]
      : [],
  });
  kmsMock.on(ListKeyRotationsCommand).resolves({ Rotations: rotations });
  kmsMock.on(GetKeyRotationStatusCommand).resolves({});
  kmsMock.on(EncryptCommand).resolves({ CiphertextBlob: Buffer.from('ciphertext') });
}

/** The administrators' binding of the key's HSM key, as `byok bindings add` records it. */
const BOUND = () => new MemoryBindingsStore([{ hsmKeyLabel: 'payments', keyArn: KEY_ARN }]);

function validate(
  request: StoredRequest | undefined,
  input: unknown = { requestId: REQUEST_ID, keyId: KEY_ARN },
  executionId: string | undefined = EXECUTION,
  sealed?: { request: boolean; execution: boolean },
  bindings: MemoryBindingsStore = BOUND(),
) {
  return validateRotation(
    input,
    {
      kms: new KMSClient({ region: 'us-east-1' }),
      clock: { now: () => NOW },
      approvals: storeWith(request, sealed),
      bindings,
    },
    executionId,
  );
}

afterEach(() => kmsMock.reset());

describe('validateRotation', () => {
  it('plans the rotation: label from the current one, sequence, probe hash only, timeout to the deadline', async () => {
    // Prepare
    keyAs({}, [{ KeyMaterialId: 'a'.repeat(64), KeyMaterialState: 'CURRENT', ImportState: 'IMPORTED' }]);

    // Act
    const plan = await validate(storedRequest());

    // Assess
    expect(plan).toMatchObject({
      keyArn: KEY_ARN,
      newHsmKeyLabel: 'payments-r2-3f2c9a1e',
      sequence: 2,
      oldKeyMaterialId: 'a'.repeat(64),
      approvalTimeoutSeconds: 72 * 3600,
      replicaArns: [],
    });
    expect(plan.probe.plaintextSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['no recorded request', undefined, 'RotationRequestNotRecordedError'],
    [
      'a request for another key',
      storedRequest({ keyArn: `${KEY_ARN}x`, keyId: 'other' }),
      'RotationRequestNotRecordedError',
    ],
    [
      'a request already pending votes',
      storedRequest({ status: 'PENDING' }),
      'RotationRequestNotRecordedError',
    ],
  ])('refuses %s', async (_case, request, error) => {
    // Prepare
    keyAs({});

    // Act + Assess
    await expect(validate(request)).rejects.toMatchObject({ name: error });
    expect(kmsMock.commandCalls(EncryptCommand)).toHaveLength(0);
  });

  it.each([
    [
      'a forged execution while the real one is recorded',
      storedRequest({ executionArn: EXECUTION }),
      `${EXECUTION}-forged`,
      undefined,
    ],
    [
      'a forged execution before the real one is recorded',
      storedRequest(),
      `${EXECUTION.slice(0, -36)}forged`,
      undefined,
    ],
    ['no execution id', storedRequest(), '', undefined],
    [
      'an execution written into the table without the seal',
      storedRequest({ executionArn: EXECUTION }),
      EXECUTION,
      { request: true, execution: false },
    ],
    [
      'a request written into the table without the seal',
      storedRequest(),
      EXECUTION,
      { request: false, execution: false },
    ],
  ])(
    'refuses %s (issue 22 item 4: RotationRequestNotRecordedError)',
    async (_case, request, executionId, sealed) => {
      // Prepare
      keyAs({});

      // Act + Assess
      await expect(
        validate(request, { requestId: REQUEST_ID, keyId: KEY_ARN }, executionId, sealed),
      ).rejects.toMatchObject({ name: 'RotationRequestNotRecordedError' });
      expect(kmsMock.commandCalls(EncryptCommand)).toHaveLength(0);
    },
  );

  it('accepts the execution the approvals API recorded and sealed', async () => {
    // Prepare
    keyAs({}, [{ KeyMaterialId: 'a'.repeat(64), KeyMaterialState: 'CURRENT', ImportState: 'IMPORTED' }]);

    // Act
    const plan = await validate(storedRequest({ executionArn: EXECUTION }));

    // Assess
    expect(plan.requestId).toBe(REQUEST_ID);
  });

  it('refuses an input with a requester field (identities come from the store only)', async () => {
    // Act + Assess
    await expect(
      validate(storedRequest(), {
        requestId: REQUEST_ID,
        keyId: KEY_ARN,
        requester: 'arn:aws:iam::1:user/x',
      }),
    ).rejects.toMatchObject({ name: 'InvalidRotationInputError' });
  });

  it.each([
    ['origin AWS_KMS', { Origin: 'AWS_KMS' as const }],
    ['an HMAC key', { KeySpec: 'HMAC_256' as const }],
    ['a disabled key', { KeyState: 'Disabled' as const }],
    ['a replica', { MultiRegionConfiguration: { MultiRegionKeyType: 'REPLICA' as const } }],
  ])('refuses %s with KeyNotRotatableError', async (_case, metadata) => {
    // Prepare
    keyAs(metadata);

    // Act + Assess
    await expect(validate(storedRequest())).rejects.toMatchObject({ name: 'KeyNotRotatableError' });
  });

  it('refuses a key without the byok:managed tag', async () => {
    // Prepare
    keyAs({}, [], false);

    // Act + Assess
    await expect(validate(storedRequest())).rejects.toMatchObject({ name: 'KeyNotRotatableError' });
  });

  it('refuses a key with material pending rotation (RotationPendingError)', async () => {
    // Prepare
    keyAs({}, [
      { KeyMaterialId: 'b'.repeat(64), KeyMaterialState: 'PENDING_ROTATION', ImportState: 'IMPORTED' },
    ]);

    // Act + Assess
    await expect(validate(storedRequest())).rejects.toMatchObject({ name: 'RotationPendingError' });
  });

  it('refuses a key that used its 25 on-demand rotations (RotationLimitReachedError)', async () => {
    // Prepare
    const rotated = Array.from({ length: 25 }, (_, index) => ({
      KeyMaterialId: index.toString(16).padStart(64, '0'),
      KeyMaterialState: 'NON_CURRENT' as const,
      RotationType: 'ON_DEMAND' as const,
    }));
    keyAs({}, rotated);

    // Act + Assess
    await expect(validate(storedRequest())).rejects.toMatchObject({ name: 'RotationLimitReachedError' });
  });

  it.each([
    ['no binding of its HSM key', [], undefined],
    [
      'its HSM key bound to another KMS key',
      [{ hsmKeyLabel: 'payments', keyArn: `${KEY_ARN.slice(0, -2)}ff` }],
      `${KEY_ARN.slice(0, -2)}ff`,
    ],
  ])(
    'refuses a key with %s (HsmKeyNotBoundError naming the label to bind), before the probe',
    async (_case, recorded, boundTo) => {
      // Prepare
      keyAs({}, [{ KeyMaterialId: 'a'.repeat(64), KeyMaterialState: 'CURRENT', ImportState: 'IMPORTED' }]);

      // Act
      const refusal = validate(
        storedRequest(),
        undefined,
        undefined,
        undefined,
        new MemoryBindingsStore(recorded),
      );

      // Assess
      await expect(refusal).rejects.toMatchObject({
        name: 'HsmKeyNotBoundError',
        hsmKeyLabel: 'payments',
        keyArn: KEY_ARN,
        boundTo,
        hint: expect.stringContaining(`byok bindings add --hsm-key payments --key-id ${KEY_ARN}`),
      });
      expect(kmsMock.commandCalls(EncryptCommand)).toHaveLength(0);
    },
  );

  it("accepts the new HSM key's label through the binding of the label it derives from", async () => {
    // Prepare
    keyAs({}, [{ KeyMaterialId: 'a'.repeat(64), KeyMaterialState: 'CURRENT', ImportState: 'IMPORTED' }]);
    const bindings = BOUND();

    // Act
    const plan = await validate(storedRequest(), undefined, undefined, undefined, bindings);

    // Assess
    expect(plan.newHsmKeyLabel).toBe('payments-r2-3f2c9a1e');
    expect(bindings.reads).toBe(2);
  });
});
