// Puts the local Step Functions API on a running local stack: `AWSStepFunctions.*` on the shared
// port, executions run by the runner with the deps given (built on first use).
import type { Clock } from '../../clock.ts';
import type { LocalService } from '../protocol.ts';
import type { RunnerDeps, RunOverrides } from '../runner/index.ts';
import { StepFunctionsService } from './service.ts';

/** The parts of a local stack the API attaches to (structural, so tests can pass their own). */
export interface StepFunctionsAttachableStack {
  region: string;
  accountId: string;
  clock: Clock;
  server: { register(service: LocalService): void };
}

export interface AttachStepFunctionsOptions {
  deps: () => Promise<RunnerDeps>;
  overrides?: RunOverrides | undefined;
}

export interface AttachedStepFunctions {
  service: StepFunctionsService;
  /** Stops running executions; call before stopping the stack. */
  close(): Promise<void>;
}

export function attachLocalStepFunctions(
  stack: StepFunctionsAttachableStack,
  options: AttachStepFunctionsOptions,
): AttachedStepFunctions {
  const service = new StepFunctionsService({
    region: stack.region,
    accountId: stack.accountId,
    clock: stack.clock,
    deps: options.deps,
    overrides: options.overrides,
  });
  stack.server.register(service);
  return { service, close: () => service.close() };
}
