// Wires the product's runner into the local Step Functions API (an emulator that takes its workflow
// engine as a port): executions run the real statemachines/*.asl.json and functions/ in-process.
import type { ApprovalsStore } from '../approvals/store.ts';
import { defaultByokHome, loadHsmConfig } from '../hsm/config.ts';
import {
  type AttachedStepFunctions,
  attachStepFunctionsApi,
  type StepFunctionsAttachableStack,
} from '../local/stepfunctions/attach.ts';
import { createLocalDeps, type LocalDeps } from '../runner/local-deps.ts';
import type { RunnerDeps, RunOverrides } from '../runner/run-execution.ts';
import type { TaskTokenService } from '../runner/tasks/index.ts';
import { createRunnerEngine } from '../runner/workflow-engine.ts';

export type { AttachedStepFunctions } from '../local/stepfunctions/attach.ts';

export interface AttachStepFunctionsOptions {
  /**
   * What the functions of an execution need (KMS client, HSM, clock...). Called on the first
   * StartExecution, not before: the stack can run before a local token exists.
   */
  deps: () => Promise<RunnerDeps>;
  overrides?: RunOverrides | undefined;
  /**
   * The runner's TaskTokenService: executions get it as `deps.tasks` (`.waitForTaskToken`,
   * activity states) and the API answers SendTask* and GetActivityTask with it.
   */
  tasks?: TaskTokenService | undefined;
  /** How long GetActivityTask holds a poll (default 60 s). */
  activityPollMs?: number | undefined;
}

export function attachLocalStepFunctions(
  stack: StepFunctionsAttachableStack,
  options: AttachStepFunctionsOptions,
): AttachedStepFunctions {
  return attachStepFunctionsApi(stack, createRunnerEngine(options), {
    tasks: options.tasks,
    activityPollMs: options.activityPollMs,
  });
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
    tasks?: TaskTokenService | undefined;
    /** The approvals store the rotation workflow reads (the stack's, see ./approvals.ts). */
    approvals?: ApprovalsStore | undefined;
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
        approvals: options.approvals,
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
