// Optional per-operation request-rate quotas, answered with ThrottlingException like AWS. Off by
// default; `aws-default` carries AWS's default KMS quotas for the operations byok leans on.

import { InvalidQuotaError } from './errors.ts';
import { AwsServiceError } from './protocol.ts';

export type QuotaSpec = 'aws-default' | Record<string, number>;

/** AWS KMS default request quotas per account and Region (requests per second). */
export const AWS_DEFAULT_KMS_QUOTAS: Readonly<Record<string, number>> = {
  GetParametersForImport: 1,
  ImportKeyMaterial: 15,
  DeleteImportedKeyMaterial: 15,
  RotateKeyOnDemand: 5,
  ListKeyRotations: 100,
  DescribeKey: 2000,
};

/** Resolves a spec to a per-operation map; keys are `Operation` or `Prefix.Operation`. */
function resolveQuotas(spec: QuotaSpec | undefined | null): Record<string, number> {
  if (spec === undefined || spec === null) return {};
  if (spec === 'aws-default') return { ...AWS_DEFAULT_KMS_QUOTAS };
  if (typeof spec !== 'object' || Array.isArray(spec)) {
    throw new InvalidQuotaError(`quotas must be 'aws-default' or a map of operation to requests per second`);
  }
  const resolved: Record<string, number> = {};
  for (const [operation, perSecond] of Object.entries(spec)) {
    if (typeof perSecond !== 'number' || !Number.isFinite(perSecond) || perSecond <= 0) {
      throw new InvalidQuotaError(`quota for ${operation} must be a positive number of requests per second`);
    }
    resolved[operation] = perSecond;
  }
  return resolved;
}

/** A request a quota applies to, as the limiter saw it. */
export interface QuotaRequest {
  operation: string;
  /** `<account>/<Region>`: the quota's scope. */
  scope: string;
  /** When it arrived, in the limiter's time (epoch ms). */
  atMs: number;
  throttled: boolean;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/**
 * Token buckets per operation and scope over real time (the stack's scope is an account and Region,
 * as AWS counts quotas): bursts up to the rate, then the rate per second.
 */
export class RateLimiter {
  private quotas: Record<string, number> = {};
  private readonly buckets = new Map<string, Bucket>();
  /** Requests answered ThrottlingException since the stack started (benches count them). */
  throttled = 0;
  private readonly observers = new Set<(request: QuotaRequest) => void>();

  constructor(
    spec?: QuotaSpec,
    private readonly realNow: () => number = Date.now,
  ) {
    this.configure(spec);
  }

  configure(spec: QuotaSpec | undefined | null): void {
    this.quotas = resolveQuotas(spec);
    this.buckets.clear();
  }

  /**
   * Calls `observer` with every request that has a quota, as it arrives (bench/fleet.ts measures
   * each pair's GetParametersForImport rate with it); returns a function that stops it.
   */
  observe(observer: (request: QuotaRequest) => void): () => void {
    this.observers.add(observer);
    return () => {
      this.observers.delete(observer);
    };
  }

  current(): Record<string, number> {
    return { ...this.quotas };
  }

  /** Throws ThrottlingException when `prefix.operation` is over its quota in `scope`. */
  take(prefix: string, operation: string, scope = ''): void {
    const rate = this.quotas[`${prefix}.${operation}`] ?? this.quotas[operation];
    const key = `${scope}|${prefix}.${operation}`;
    if (rate === undefined) return;
    const now = this.realNow();
    const bucket = this.buckets.get(key) ?? { tokens: rate, updatedMs: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.updatedMs) / 1000) * rate);
    bucket.updatedMs = now;
    this.buckets.set(key, bucket);
    const throttled = bucket.tokens < 1;
    for (const observer of this.observers) observer({ operation, scope, atMs: now, throttled });
    if (throttled) {
      this.throttled += 1;
      throw new AwsServiceError('ThrottlingException', 'Rate exceeded');
    }
    bucket.tokens -= 1;
  }
}
