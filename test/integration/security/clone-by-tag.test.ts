// Issue 16 item 2, "cloning a key's use by tag": anyone allowed to create and tag a KMS key used to
// be able to make byok import the material of an HSM key (here `payments`, an HMAC key) into a key
// they control, by tagging it byok:managed=true and byok:hsm-key-label=payments: a second KMS key
// that makes the same MACs, a forgery oracle. Now only an administrator's binding lets an HSM key
// go into a KMS key. Real ASL, local KMS and EventBridge over HTTP, real NSS token.
import { CreateKeyCommand, DescribeKeyCommand, GenerateMacCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TAG_HSM_KEY_LABEL, TAG_MANAGED, TAG_MANAGED_VALUE } from '../../../src/core/import/tags.ts';
import { type ImportHarness, startImportHarness, statesEntered } from '../../helpers/import-harness.ts';

const PAYMENTS = 'payments';

describe('cloning a key by tag', () => {
  let harness: ImportHarness;
  let paymentsKeyId: string;

  beforeAll(async () => {
    harness = await startImportHarness({ keys: [{ label: PAYMENTS, type: 'HMAC_256' }] });
    // The administrator's key: created, tagged and bound to the HSM key (the helper records the binding).
    paymentsKeyId = await harness.createExternalKey({
      keySpec: 'HMAC_256',
      keyUsage: 'GENERATE_VERIFY_MAC',
      hsmKeyLabel: PAYMENTS,
    });
    const first = await harness.run({ keyId: paymentsKeyId, validForDays: 30 });
    expect(first.status, first.cause).toBe('SUCCEEDED');
  }, 60_000);
  afterAll(async () => {
    await harness?.stop();
  });

  it('refuses to import payments into a second HMAC key tagged with its label: HsmKeyNotBoundError, key untouched, alert published', async () => {
    // Prepare: someone who may only create and tag keys makes their own HMAC key look like payments'.
    const created = await harness.deps.kms.send(
      new CreateKeyCommand({
        Origin: 'EXTERNAL',
        KeySpec: 'HMAC_256',
        KeyUsage: 'GENERATE_VERIFY_MAC',
        Tags: [
          { TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE },
          { TagKey: TAG_HSM_KEY_LABEL, TagValue: PAYMENTS },
        ],
      }),
    );
    const cloneKeyArn = created.KeyMetadata?.Arn as string;

    // Act: the import a schedule, the expiry rule or a StartExecution would run for that key.
    const result = await harness.run({ keyId: cloneKeyArn, validForDays: 30 });

    // Assess: refused in the first step, by name, with the command an administrator would run.
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('HsmKeyNotBoundError');
    expect(result.cause).toContain(`byok bindings add --hsm-key ${PAYMENTS} --key-id ${cloneKeyArn}`);
    expect(statesEntered(result)).toEqual([
      'StartImport',
      'GetParametersForImport',
      'FindFailedKeyId',
      'KeepFailedKeyId',
      'PublishFailed',
      'ImportFailed',
    ]);
    // The key is untouched: no material, still PendingImport, cannot make a MAC.
    const described = await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: cloneKeyArn }));
    expect(described.KeyMetadata?.KeyState).toBe('PendingImport');
    expect(described.KeyMetadata?.ValidTo).toBeUndefined();
    expect(described.KeyMetadata?.CurrentKeyMaterialId).toBeUndefined();
    const mac = await harness.deps.kms
      .send(
        new GenerateMacCommand({
          KeyId: cloneKeyArn,
          MacAlgorithm: 'HMAC_SHA_256',
          Message: Buffer.from('transfer 1,000,000 to mallory'),
        }),
      )
      .catch((error: unknown) => error);
    expect((mac as Error).name).toBe('KMSInvalidStateException');
    // The alert: the failure event, on the local EventBridge, naming the refusal.
    expect(result.publishedEvents).toEqual([
      expect.objectContaining({
        detailType: 'byok Key Material Import Failed',
        delivered: true,
        detail: expect.objectContaining({ error: 'HsmKeyNotBoundError' }),
      }),
    ]);
    const bus = (await (await fetch(`${harness.stack.url}/_byok/events?source=byok`)).json()) as {
      events: Array<{ 'detail-type': string; detail: { error?: string; input?: { keyId?: string } } }>;
    };
    expect(
      bus.events.filter(
        (event) =>
          event['detail-type'] === 'byok Key Material Import Failed' &&
          event.detail.input?.keyId === cloneKeyArn,
      ),
    ).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ error: 'HsmKeyNotBoundError' }) }),
    ]);
  });

  it('refuses the same HSM key named in the execution input instead of the tag', async () => {
    // Prepare
    const created = await harness.deps.kms.send(
      new CreateKeyCommand({
        Origin: 'EXTERNAL',
        KeySpec: 'HMAC_256',
        KeyUsage: 'GENERATE_VERIFY_MAC',
        Tags: [{ TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE }],
      }),
    );
    const cloneKeyId = created.KeyMetadata?.KeyId as string;

    // Act
    const result = await harness.run({ keyId: cloneKeyId, hsmKeyLabel: PAYMENTS, validForDays: 30 });

    // Assess
    expect(result.error).toBe('HsmKeyNotBoundError');
    const described = await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: cloneKeyId }));
    expect(described.KeyMetadata?.KeyState).toBe('PendingImport');
  });

  it('still imports payments into the key it is bound to', async () => {
    // Act
    const result = await harness.run({ keyId: paymentsKeyId, validForDays: 60 });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
  });
});
