// Injectable faults per operation, for exercising Retry/Catch paths and fleet behaviour: an AWS
// exception returned with some probability, and/or latency added before the answer.

import { InvalidFaultError } from './errors.ts';
import { AwsServiceError } from './protocol.ts';

export interface FaultSpec {
  /** `Operation`, `Prefix.Operation` or `*`. */
  operation: string;
  /** Exception name to answer with (e.g. KMSInternalException); omit for latency only. */
  exception?: string;
  message?: string;
  status?: number;
  /** 0..1, default 1. */
  probability?: number;
  /** Added before the answer (or the fault). */
  latencyMs?: number;
  /** Fault at most this many times, then stop (default: unlimited). */
  count?: number;
  /**
   * The operation takes effect first, then the exception is answered: an ambiguous failure (AWS
   * committed, the caller's answer was lost or timed out). Needs an exception.
   */
  afterCommit?: boolean;
}

function validateFault(value: unknown, index: number): FaultSpec {
  if (value === null || typeof value !== 'object')
    throw new InvalidFaultError(`fault ${index} must be an object`);
  const spec = value as Record<string, unknown>;
  const fail = (what: string): never => {
    throw new InvalidFaultError(`fault ${index}: ${what}`);
  };
  if (typeof spec.operation !== 'string' || spec.operation === '')
    fail('operation must be a non-empty string');
  if (
    spec.exception !== undefined &&
    (typeof spec.exception !== 'string' || !/^[A-Za-z]+$/.test(spec.exception))
  ) {
    fail('exception must be an exception name');
  }
  if (spec.message !== undefined && typeof spec.message !== 'string') fail('message must be a string');
  if (spec.status !== undefined && !(Number.isInteger(spec.status) && (spec.status as number) >= 400)) {
    fail('status must be an HTTP error status');
  }
  const probability = spec.probability ?? 1;
  if (typeof probability !== 'number' || probability < 0 || probability > 1)
    fail('probability must be within 0..1');
  if (spec.latencyMs !== undefined && !(typeof spec.latencyMs === 'number' && spec.latencyMs >= 0)) {
    fail('latencyMs must be a non-negative number');
  }
  if (spec.count !== undefined && !(Number.isInteger(spec.count) && (spec.count as number) >= 0)) {
    fail('count must be a non-negative integer');
  }
  if (spec.exception === undefined && spec.latencyMs === undefined)
    fail('give an exception, a latencyMs, or both');
  if (spec.afterCommit !== undefined && typeof spec.afterCommit !== 'boolean')
    fail('afterCommit must be a boolean');
  if (spec.afterCommit === true && spec.exception === undefined) fail('afterCommit needs an exception');
  return spec as unknown as FaultSpec;
}

export function validateFaults(value: unknown): FaultSpec[] {
  if (!Array.isArray(value)) throw new InvalidFaultError('faults must be a list');
  return value.map(validateFault);
}

export class FaultInjector {
  private faults: { spec: FaultSpec; remaining: number }[] = [];

  constructor(
    faults: FaultSpec[] = [],
    private readonly random: () => number = Math.random,
  ) {
    this.configure(faults);
  }

  configure(faults: FaultSpec[]): void {
    this.faults = validateFaults(faults).map((spec) => ({
      spec,
      remaining: spec.count ?? Number.POSITIVE_INFINITY,
    }));
  }

  current(): FaultSpec[] {
    return this.faults.map(({ spec }) => ({ ...spec }));
  }

  /**
   * Waits the injected latency, then throws the injected exception if one fires. `phase` 'after'
   * is called once the operation took effect: only afterCommit faults fire then.
   */
  async apply(prefix: string, operation: string, phase: 'before' | 'after' = 'before'): Promise<void> {
    for (const fault of this.faults) {
      const { spec } = fault;
      if ((spec.afterCommit === true) !== (phase === 'after')) continue;
      if (
        spec.operation !== '*' &&
        spec.operation !== operation &&
        spec.operation !== `${prefix}.${operation}`
      )
        continue;
      if (fault.remaining <= 0) continue;
      if (this.random() >= (spec.probability ?? 1)) continue;
      fault.remaining -= 1;
      if (spec.latencyMs) await new Promise((resolve) => setTimeout(resolve, spec.latencyMs));
      if (spec.exception) throw new AwsServiceError(spec.exception, spec.message, spec.status);
    }
  }
}
