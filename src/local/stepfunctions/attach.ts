// Puts the local Step Functions API on a running local stack: `AWSStepFunctions.*` on the shared
// port, executions run by the runner with the deps given (built on first use).
import type { Clock } from '../../clock.ts';
import { defaultByokHome, loadHsmConfig } from '../../hsm/config.ts';
import type { LocalService } from '../protocol.ts';
import type { RunnerDeps, RunOverrides } from '../runner/index.ts';
import { createLocalDeps, type LocalDeps } from '../runner/local-deps.ts';
import { StepFunctionsService } from './service.ts';
import type { TaskTokenPort } from './task-port.ts';

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
  /** The runner's TaskTokenService: `.waitForTaskToken`/activity states, SendTask*, GetActivityTask. */
  tasks?: TaskTokenPort | undefined;
  /** How long GetActivityTask holds a poll (default 60 s). */
  activityPollMs?: number | undefined;
}

export interface AttachedStepFunctions {
  service: StepFunctionsService;
  /** Stops running executions (and closes what the API opened); call before stopping the stack. */
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
    tasks: options.tasks,
    activityPollMs: options.activityPollMs,
  });
  stack.server.register(service);
  return { service, close: () => service.close() };
}

/**
 * The API as `byok local up` serves it: executions use SDK clients pointed at the stack itself and
 * the local token of $BYOK_HOME (opened on the first execution, so the stack can start before
 * `byok hsm init`; without a token an execution fails with the HSM module's named error and hint).
 */
export function attachLocalStepFunctionsWithLocalToken(
  stack: StepFunctionsAttachableStack & { url: string },
  options: {
    byokHome?: string | undefined;
    overrides?: RunOverrides | undefined;
    tasks?: TaskTokenPort | undefined;
  } = {},
): AttachedStepFunctions {
  let opened: LocalDeps | undefined;
  const attached = attachLocalStepFunctions(stack, {
    overrides: options.overrides,
    tasks: options.tasks,
    deps: async () => {
      const hsmConfig = await loadHsmConfig(options.byokHome ?? defaultByokHome());
      opened = await createLocalDeps({
        endpoint: stack.url,
        region: stack.region,
        accountId: stack.accountId,
        clock: stack.clock,
        hsmConfig,
      });
      return opened;
    },
  });
  return {
    service: attached.service,
    async close() {
      await attached.close();
      await opened?.close();
    },
  };
}
