// A local stack for rotations whose HSM steps a real `byok worker` runs (HSM placement on premises:
// CreateRotationMaterial and the wraps are activities). Two GetParametersForImport calls in a row
// never share a wrapping key (kmsDistinctWrappingKeys, as on AWS, each call its own), so a workflow
// that sends one call's import token with a blob wrapped for another fails as it would on AWS.
// Rotations are not delayed; local approvals and the task token service are attached.
import { type LocalStack, startLocalStack } from '../../src/local/stack.ts';
import { createTaskTokenServiceOn, type TaskTokenService } from '../../src/onprem/runner/tasks/service.ts';
import { type LocalApprovals, startLocalApprovals } from '../../src/onprem/simulation/approvals.ts';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctionsWithLocalToken,
} from '../../src/onprem/simulation/step-functions.ts';

export interface WorkerRotationStack {
  stack: LocalStack;
  tasks: TaskTokenService;
  approvals: LocalApprovals;
  stepFunctions: AttachedStepFunctions;
  /** Stops what it started, last first (tolerates a start that failed half way). */
  stop(): Promise<void>;
}

export async function startWorkerRotationStack(): Promise<WorkerRotationStack> {
  const stack = await startLocalStack({
    port: 0,
    kmsRotationDelayMs: 0,
    tickMs: 100,
    kmsDistinctWrappingKeys: true,
    kmsPrewarmWrappingKeys: ['RSA_4096'],
  });
  const tasks = createTaskTokenServiceOn(stack.clock);
  let approvals: LocalApprovals | undefined;
  try {
    approvals = await startLocalApprovals(stack);
    const stepFunctions = attachLocalStepFunctionsWithLocalToken(stack, {
      tasks,
      hsmPlacement: 'activity',
      approvals: approvals.store,
      overrides: { waitTimeOverrides: { WaitForRotation: 100 } },
    });
    const started = approvals;
    return {
      stack,
      tasks,
      approvals: started,
      stepFunctions,
      async stop() {
        await stepFunctions.close();
        tasks.close();
        await started.stop();
        await stack.stop();
      },
    };
  } catch (error) {
    tasks.close();
    await approvals?.stop();
    await stack.stop();
    throw error;
  }
}
