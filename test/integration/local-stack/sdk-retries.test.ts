// Issue 17: against the local stack, byok's SDK clients retry throttling and transient errors with
// backoff and jitter exactly as against AWS (they were built with maxAttempts 1 when given an
// endpoint, so locally nothing was retried at all).
import { CreateKeyCommand, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient } from '../../../src/core/aws/clients.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
});

afterAll(async () => {
  await stack?.stop();
});

async function injectFaults(faults: unknown[]): Promise<void> {
  const response = await fetch(`${stack.url}/_byok/faults`, {
    method: 'POST',
    body: JSON.stringify({ faults }),
  });
  expect(response.ok).toBe(true);
}

describe('SDK clients built for the local endpoint', () => {
  it.each([
    ['ThrottlingException', 400, 2],
    ['KMSInternalException', 500, 2],
    ['DependencyTimeoutException', 503, 1],
  ])('retry %s (HTTP %i) and succeed, as against AWS', async (exception, status, count) => {
    // Prepare
    const kms = createKmsClient({ endpoint: stack.url });
    const created = await kms.send(new CreateKeyCommand({}));
    await injectFaults([{ operation: 'DescribeKey', exception, status, count }]);

    // Act
    const described = await kms.send(new DescribeKeyCommand({ KeyId: created.KeyMetadata?.KeyId }));
    kms.destroy();

    // Assess
    expect(described.KeyMetadata?.KeyId).toBe(created.KeyMetadata?.KeyId);
    expect(described.$metadata.attempts).toBe(count + 1);
  });

  it('give up after the SDK default of 3 attempts with the service error', async () => {
    // Prepare
    const kms = createKmsClient({ endpoint: stack.url });
    const created = await kms.send(new CreateKeyCommand({}));
    await injectFaults([{ operation: 'DescribeKey', exception: 'ThrottlingException' }]);

    // Act
    const refused = await kms
      .send(new DescribeKeyCommand({ KeyId: created.KeyMetadata?.KeyId }))
      .catch((error: unknown) => error as { name: string; $metadata: { attempts?: number } });
    await injectFaults([]);
    kms.destroy();

    // Assess
    expect(refused).toMatchObject({ name: 'ThrottlingException', $metadata: { attempts: 3 } });
  });
});
