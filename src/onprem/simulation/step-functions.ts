// Wires the product's runner into the local Step Functions API (an emulator that takes its workflow
// engine as a port): executions run the real statemachines/*.asl.json and functions/ in-process.
import type { ApprovalsStore } from '../../core/approvals/store.ts';
import { defaultByokHome, loadHsmConfig } from '../../core/hsm/config.ts';
import {
  type AttachedStepFunctions,
  attachStepFunctionsApi,
  type StepFunctionsAttachableStack,
} from '../../local/stepfunctions/attach.ts';
import { HSM_STEPS, type HsmPlacement, localActivityName } from '../runner/hsm-placement.ts';
import { createLocalDeps, type LocalDeps } from '../runner/local-deps.ts';
import type { RunnerDeps, RunOverrides } from '../runner/run-execution.ts';
import type { TaskTokenService } from '../runner/tasks/service.ts';
import { createRunnerEngine } from '../runner/workflow-engine.ts';

export type { AttachedStepFunctions } from '../../local/stepfunctions/attach.ts';

export interface AttachStepFunctionsOptions {
  /**
   * What the functions of an execution need (KMS client, HSM, clock...). Called on the first
   * StartExecution, not before: the stack can run before a local token exists.
   */
  deps: () => Promise<RunnerDeps>;
  overrides?: RunOverrides | undefined;
  /**
   * Task tokens and activity tasks (src/onprem/runner/tasks): executions get it as `deps.tasks`, the API
   * answers SendTask* and GetActivityTask with it.
   */
  tasks?: TaskTokenService | undefined;
  /** How long GetActivityTask holds a poll (default 60 s). */
  activityPollMs?: number | undefined;
  /**
   * Where the HSM steps run (default 'lambda'). 'activity' creates their activities
   * (`byok-wrap-key-material`) on the API, for `byok worker` to poll; needs `tasks`.
   */
  hsmPlacement?: HsmPlacement | undefined;
}

export function attachLocalStepFunctions(
  stack: StepFunctionsAttachableStack,
  options: AttachStepFunctionsOptions,
): AttachedStepFunctions {
  const placement = options.hsmPlacement ?? 'lambda';
  const attached = attachStepFunctionsApi(
    stack,
    createRunnerEngine({
      ...options,
      hsmPlacement: { placement, region: stack.region, accountId: stack.accountId },
    }),
    { tasks: options.tasks, activityPollMs: options.activityPollMs },
  );
  if (placement === 'activity') {
    if (!options.tasks) throw new TypeError('the activity placement needs a task-token service (tasks)');
    for (const step of HSM_STEPS) {
      void attached.service.handle('CreateActivity', { name: localActivityName(step) });
    }
  }
  return attached;
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
    /** 'activity': no HSM in this process; `byok worker` holds the token. */
    hsmPlacement?: HsmPlacement | undefined;
    /** The approvals store the rotation workflow reads (the stack's, see ./approvals.ts). */
    approvals?: ApprovalsStore | undefined;
  } = {},
): AttachedStepFunctions {
  let opened: LocalDeps | undefined;
  const placement = options.hsmPlacement ?? 'lambda';
  const attached = attachLocalStepFunctions(stack, {
    overrides: options.overrides,
    tasks: options.tasks,
    hsmPlacement: placement,
    deps: async () => {
      const hsmConfig =
        placement === 'activity' ? undefined : await loadHsmConfig(options.byokHome ?? defaultByokHome());
      opened = await createLocalDeps({
        endpoint: stack.url,
        region: stack.region,
        accountId: stack.accountId,
        clock: stack.clock,
        hsmConfig,
        hsmPlacement: placement,
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
