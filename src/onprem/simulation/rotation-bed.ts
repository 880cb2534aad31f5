// What `byok simulate --rotate-every` adds to the sweep world: the approvals API (dynalite store,
// SigV4 identities), the local Step Functions API with task tokens on the virtual clock, and the
// rotation workflow run through them. Each rotation is asked for by one simulated identity and
// approved by two others through the real API (runApprovedRotation); nothing bypasses the
// workflow's own checks.
import type { SFNClient } from '@aws-sdk/client-sfn';
import { createSfnClient } from '../../core/aws/clients.ts';
import { createTaskTokenServiceOn } from '../runner/tasks/index.ts';
import { type LocalApprovals, startLocalApprovals } from './approvals.ts';
import type { SweepWorld } from './local-world.ts';
import { type ApprovedRotationResult, runApprovedRotation } from './rotation.ts';
import { type AttachedStepFunctions, attachLocalStepFunctions } from './step-functions.ts';

export interface RotationBed {
  rotate(keyId: string, reason: string): Promise<ApprovedRotationResult>;
  close(): Promise<void>;
}

/** Real milliseconds between the rotation workflow's completion checks (its Wait state). */
const ROTATION_CHECK_MS = 100;

export async function startRotationBed(world: SweepWorld): Promise<RotationBed> {
  const tasks = createTaskTokenServiceOn(world.stack.clock);
  let approvals: LocalApprovals | undefined;
  let stepFunctions: AttachedStepFunctions | undefined;
  let sfn: SFNClient | undefined;
  const close = async () => {
    sfn?.destroy();
    await stepFunctions?.close();
    tasks.close();
    await approvals?.stop();
  };
  try {
    approvals = await startLocalApprovals(world.stack);
    const store = approvals.store;
    stepFunctions = attachLocalStepFunctions(world.stack, {
      deps: async () => ({ ...world.deps, approvals: store }),
      tasks,
      overrides: { waitTimeOverrides: { WaitForRotation: ROTATION_CHECK_MS } },
    });
    sfn = createSfnClient({ endpoint: world.stack.url, region: world.stack.region });
    const url = approvals.url;
    const client = sfn;
    return {
      rotate: (keyId, reason) =>
        runApprovedRotation({ approvalsUrl: url, region: world.stack.region, sfn: client, keyId, reason }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
