import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeReturnCode, HsmError } from '../../../src/core/hsm/errors.ts';
import {
  decorateWrapKey,
  type ImportHarness,
  startImportHarness,
  statesEntered,
} from '../../helpers/import-harness.ts';

interface RetriedEvent {
  type: string;
  state: { name: string };
}

describe('import workflow, throttled and failing KMS calls (faults injected in the local endpoint)', () => {
  let harness: ImportHarness;

  // How many of the next wraps fail as a token whose device went away would (CKR_DEVICE_ERROR).
  let deviceErrorsLeft = 0;

  beforeAll(async () => {
    harness = await startImportHarness({
      // One HSM key per KMS key: an HSM key is bound to one KMS key only.
      keys: ['aes-1', 'aes-2', 'aes-3', 'aes-c1', 'aes-c2', 'aes-c3'].map((label) => ({
        label,
        type: 'AES_256' as const,
      })),
      decorate: decorateWrapKey(async (input, wrapKey) => {
        if (deviceErrorsLeft > 0) {
          deviceErrorsLeft -= 1;
          throw new HsmError('C_WrapKey failed', {
            returnCode: describeReturnCode(pkcs11js.CKR_DEVICE_ERROR),
          });
        }
        return wrapKey(input);
      }),
    });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  async function injectFaults(faults: unknown[]): Promise<void> {
    const response = await fetch(`${harness.stack.url}/_byok/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ faults }),
    });
    expect(response.ok).toBe(true);
  }

  it('retries ThrottlingException, KMSInternalException and DependencyTimeoutException and succeeds', async () => {
    // Prepare: as against AWS, the SDK retries each call up to 3 attempts first; a call that fails
    // all of them is retried by the state's Retry block. GetParametersForImport is throttled for
    // two whole calls (6 attempts), ImportKeyMaterial for one (3), Decrypt once (the SDK absorbs it).
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      hsmKeyLabel: 'aes-1',
    });
    await injectFaults([
      { operation: 'GetParametersForImport', exception: 'ThrottlingException', count: 6 },
      { operation: 'ImportKeyMaterial', exception: 'KMSInternalException', status: 500, count: 3 },
      { operation: 'Decrypt', exception: 'DependencyTimeoutException', status: 503, count: 1 },
    ]);

    // Act
    const result = await harness.run({ keyId, validForDays: 10 });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const retried = result.events
      .filter((event) => event.type === 'StateRetried')
      .map((event) => (event as unknown as RetriedEvent).state.name);
    expect(retried).toEqual(['GetParametersForImport', 'GetParametersForImport', 'ImportKeyMaterial']);
    const failures = result.events
      .filter((event) => event.type === 'StateFailed')
      .map((event) => (event as unknown as { Error: string }).Error);
    expect(failures).toEqual(['ThrottlingException', 'ThrottlingException', 'KMSInternalException']);
  });

  it('fails with ThrottlingException and a failure event once the retries are used up, key untouched', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      hsmKeyLabel: 'aes-2',
    });
    await injectFaults([{ operation: 'GetParametersForImport', exception: 'ThrottlingException' }]);

    // Act
    const result = await harness.run({ keyId, validForDays: 10 });
    await injectFaults([]);

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('ThrottlingException');
    expect(statesEntered(result)).toEqual([
      'StartImport',
      'GetParametersForImport',
      'FindFailedKeyId',
      'KeepFailedKeyId',
      'PublishFailed',
      'ImportFailed',
    ]);
    expect(result.events.filter((event) => event.type === 'StateRetried')).toHaveLength(6);
    expect(result.publishedEvents.map((event) => event.detailType)).toEqual([
      'byok Key Material Import Failed',
    ]);
    const described = await harness.deps.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
    expect(described.KeyMetadata?.KeyState).toBe('PendingImport');
  });

  it('retries a transient HSM failure (device error) as HsmUnavailableError and succeeds', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      hsmKeyLabel: 'aes-3',
    });
    deviceErrorsLeft = 2;

    // Act
    const result = await harness.run({ keyId, validForDays: 10 });

    // Assess
    expect(result.status, result.cause).toBe('SUCCEEDED');
    const failures = result.events
      .filter((event) => event.type === 'StateFailed')
      .map((event) => event as unknown as { Error: string; state: { name: string } })
      .map((event) => `${event.state.name}:${event.Error}`);
    expect(failures).toEqual(['WrapKeyMaterial:HsmUnavailableError', 'WrapKeyMaterial:HsmUnavailableError']);
  });

  it('keeps three concurrent imports within the GetParametersForImport quota (1/s) by retrying the throttled ones', async () => {
    // Prepare
    const keyIds = await Promise.all(
      [1, 2, 3].map((n) =>
        harness.createExternalKey({
          keySpec: 'SYMMETRIC_DEFAULT',
          keyUsage: 'ENCRYPT_DECRYPT',
          hsmKeyLabel: `aes-c${n}`,
        }),
      ),
    );
    await configureQuotas('aws-default');
    // Real waits here (the quota refills in real time), shorter than the ASL's 1 s base.
    const overrides = { retryIntervalOverrides: { GetParametersForImport: 700 } };

    // Act
    const results = await Promise.all(
      keyIds.map((keyId) => harness.run({ keyId, validForDays: 10 }, overrides)),
    );
    await configureQuotas(null);

    // Assess
    expect(results.map((result) => result.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const throttled = results.flatMap((result) =>
      result.events.filter(
        (event) =>
          event.type === 'StateFailed' &&
          (event as unknown as { Error: string }).Error === 'ThrottlingException',
      ),
    );
    // The SDK's own retries (3 attempts, with backoff) absorb most throttles, as against AWS; the
    // state's Retry takes what they do not. Three imports in well under 3 s cannot all have got
    // their GetParametersForImport at 1/s without one of the two.
    const sdkRetried = results.some(
      (result) => result.stopDate.getTime() - result.startDate.getTime() >= 900,
    );
    expect(throttled.length > 0 || sdkRetried).toBe(true);
  });

  async function configureQuotas(quotas: 'aws-default' | null): Promise<void> {
    const response = await fetch(`${harness.stack.url}/_byok/quotas`, {
      method: quotas ? 'POST' : 'DELETE',
      headers: { 'content-type': 'application/json' },
      ...(quotas ? { body: JSON.stringify({ quotas }) } : {}),
    });
    expect(response.ok).toBe(true);
  }
});
