// The runner's record of what byok's own workflows are invoking, as Step Functions' execution
// history is on AWS (src/core/step-kernel/scheduled-invocations.ts): while a Task of a shipped
// definition runs a step function, its payload is recorded under the execution and the function.
// A step function invoked any other way (lambda:invoke from a state machine made through the API,
// which is how a direct invoke is played locally) finds nothing recorded for its payload.
import type { ScheduledInvocations } from '../../core/step-kernel/scheduled-invocations.ts';

export class RunnerScheduledInvocations {
  /** executionArn -> functionName -> payloads being invoked. */
  readonly #running = new Map<string, Map<string, unknown[]>>();

  /** Runs `invoke` with `payload` recorded as scheduled for `functionName` in `executionArn`. */
  async during<T>(
    executionArn: string,
    functionName: string,
    payload: unknown,
    invoke: () => Promise<T>,
  ): Promise<T> {
    const byFunction = this.#running.get(executionArn) ?? new Map<string, unknown[]>();
    this.#running.set(executionArn, byFunction);
    const payloads = byFunction.get(functionName) ?? [];
    byFunction.set(functionName, payloads);
    const recorded = structuredClone(payload);
    payloads.push(recorded);
    try {
      return await invoke();
    } finally {
      payloads.splice(payloads.indexOf(recorded), 1);
      if (payloads.length === 0) byFunction.delete(functionName);
      if (byFunction.size === 0) this.#running.delete(executionArn);
    }
  }

  /** The port one function's handler gets: what was scheduled for that function only. */
  forFunction(functionName: string): ScheduledInvocations {
    return {
      wasScheduled: async (executionArn, matches) =>
        (this.#running.get(executionArn)?.get(functionName) ?? []).some((payload) =>
          matches(structuredClone(payload)),
        ),
    };
  }
}

const records = new WeakMap<object, RunnerScheduledInvocations>();

/** One record per run deps: an execution and its children (and a direct invoke) share it. */
export function scheduledInvocationsOf(deps: object): RunnerScheduledInvocations {
  let record = records.get(deps);
  if (!record) {
    record = new RunnerScheduledInvocations();
    records.set(deps, record);
  }
  return record;
}
