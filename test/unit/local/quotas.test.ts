import { describe, expect, it } from 'vitest';
import { InvalidFaultError, InvalidQuotaError } from '../../../src/local/errors.ts';
import { FaultInjector } from '../../../src/local/faults.ts';
import { AwsServiceError } from '../../../src/local/protocol.ts';
import { AWS_DEFAULT_KMS_QUOTAS, RateLimiter } from '../../../src/local/quotas.ts';

describe('RateLimiter', () => {
  it('allows the quota per second, throttles beyond it, and refills with time', () => {
    // Prepare
    let nowMs = 0;
    const limiter = new RateLimiter({ ImportKeyMaterial: 2 }, () => nowMs);
    const take = () => limiter.take('TrentService', 'ImportKeyMaterial');

    // Act
    take();
    take();
    let throttled: unknown;
    try {
      take();
    } catch (error) {
      throttled = error;
    }
    nowMs += 500;

    // Assess
    expect(throttled).toBeInstanceOf(AwsServiceError);
    expect((throttled as AwsServiceError).toBody()).toEqual({
      __type: 'ThrottlingException',
      message: 'Rate exceeded',
    });
    expect(take).not.toThrow();
    expect(take).toThrow(AwsServiceError);
    expect(() => limiter.take('TrentService', 'DescribeKey')).not.toThrow();
  });

  it("carries AWS's default import quotas in the aws-default profile", () => {
    // Act
    const limiter = new RateLimiter('aws-default');

    // Assess
    expect(limiter.current()).toEqual(AWS_DEFAULT_KMS_QUOTAS);
    expect(AWS_DEFAULT_KMS_QUOTAS).toMatchObject({
      GetParametersForImport: 1,
      ImportKeyMaterial: 15,
      RotateKeyOnDemand: 5,
    });
  });

  it('refuses a non-positive quota', () => {
    // Act & Assess
    expect(() => new RateLimiter({ DescribeKey: 0 })).toThrow(InvalidQuotaError);
  });
});

describe('FaultInjector', () => {
  it('raises the named exception for matching operations, at most count times', async () => {
    // Prepare
    const faults = new FaultInjector([
      { operation: 'ImportKeyMaterial', exception: 'DependencyTimeoutException', count: 1 },
    ]);

    // Act
    const first = faults.apply('TrentService', 'ImportKeyMaterial').catch((error: unknown) => error);
    const other = faults.apply('TrentService', 'DescribeKey');

    // Assess
    const error = (await first) as AwsServiceError;
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error.type).toBe('DependencyTimeoutException');
    expect(error.status).toBe(503);
    await expect(other).resolves.toBeUndefined();
    await expect(faults.apply('TrentService', 'ImportKeyMaterial')).resolves.toBeUndefined();
  });

  it('fires by probability using the injected random source', async () => {
    // Prepare
    const draws = [0.9, 0.1];
    const faults = new FaultInjector(
      [{ operation: '*', exception: 'KMSInternalException', probability: 0.5 }],
      () => draws.shift() ?? 1,
    );

    // Act & Assess
    await expect(faults.apply('TrentService', 'Encrypt')).resolves.toBeUndefined();
    await expect(faults.apply('TrentService', 'Encrypt')).rejects.toMatchObject({
      type: 'KMSInternalException',
      status: 500,
    });
  });

  it.each([
    [{ operation: 'X' }, /give an exception, a latencyMs, or both/],
    [{ operation: 'X', exception: 'Bad Name' }, /exception must be an exception name/],
    [{ operation: 'X', exception: 'E', probability: 1.5 }, /probability/],
    [{ exception: 'E' }, /operation/],
  ])('refuses an invalid fault %o', (spec, message) => {
    // Act & Assess
    expect(() => new FaultInjector([spec as never])).toThrow(InvalidFaultError);
    expect(() => new FaultInjector([spec as never])).toThrow(message);
  });
});

describe('RateLimiter.observe', () => {
  it('sees every request a quota applies to, per scope, with its time and whether it was throttled', () => {
    // Prepare
    let nowMs = 1000;
    const limiter = new RateLimiter({ GetParametersForImport: 1 }, () => nowMs);
    const seen: unknown[] = [];
    const stop = limiter.observe((request) => seen.push(request));

    // Act
    limiter.take('TrentService', 'GetParametersForImport', '111122223333/us-east-1');
    limiter.take('TrentService', 'GetParametersForImport', '222233334444/us-east-1');
    expect(() => limiter.take('TrentService', 'GetParametersForImport', '111122223333/us-east-1')).toThrow(
      AwsServiceError,
    );
    limiter.take('TrentService', 'DescribeKey', '111122223333/us-east-1');
    stop();
    nowMs += 1000;
    limiter.take('TrentService', 'GetParametersForImport', '111122223333/us-east-1');

    // Assess
    expect(seen).toEqual([
      { operation: 'GetParametersForImport', scope: '111122223333/us-east-1', atMs: 1000, throttled: false },
      { operation: 'GetParametersForImport', scope: '222233334444/us-east-1', atMs: 1000, throttled: false },
      { operation: 'GetParametersForImport', scope: '111122223333/us-east-1', atMs: 1000, throttled: true },
    ]);
    expect(limiter.throttled).toBe(1);
  });
});
