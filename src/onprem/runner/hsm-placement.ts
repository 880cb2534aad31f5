// One workflow, two placements of its HSM steps (statemachines/hsm-placement.json): 'lambda' runs
// each as the step function its `${<Name>FunctionArn}` placeholder names; 'activity' turns the Task
// into an activity state that `byok worker`, beside the HSM, polls over outbound HTTPS, with
// HeartbeatSeconds so a dead worker is noticed in seconds. Input, output, named errors, Retry and
// Catch stay those of the ASL. deploy/state-machines.cjs applies the same file when packaging.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mapStates } from '../../core/asl/walk.cjs';
import type { AslDefinition, AslState } from './state-machines.ts';
import { functionNameOf, STATE_MACHINES_DIR } from './state-machines.ts';

export const HSM_PLACEMENTS = ['lambda', 'activity'] as const;
export type HsmPlacement = (typeof HSM_PLACEMENTS)[number];

interface PlacementFile {
  heartbeatSeconds: number;
  steps: Record<string, { activity: string }>;
}

const placementFile = JSON.parse(
  readFileSync(join(STATE_MACHINES_DIR, 'hsm-placement.json'), 'utf8'),
) as PlacementFile;

/** HeartbeatSeconds of every activity state (the worker heartbeats well within it). */
export const ACTIVITY_HEARTBEAT_SECONDS = placementFile.heartbeatSeconds;

/** The step functions that run beside the HSM (`wrap-key-material`, ...). */
export const HSM_STEPS: readonly string[] = Object.keys(placementFile.steps);

/** The activity's name suffix for an HSM step: deployed as `<service>-<stage>-<suffix>`. */
export function activitySuffixOf(step: string): string | undefined {
  return placementFile.steps[step]?.activity;
}

/** The local stack's name for the activity of an HSM step (`byok-wrap-key-material`). */
export function localActivityName(step: string): string {
  const suffix = activitySuffixOf(step);
  if (!suffix) throw new TypeError(`${step} is not an HSM step of statemachines/hsm-placement.json`);
  return `byok-${suffix}`;
}

/**
 * The definition with each HSM step's Task placed: unchanged for 'lambda'; for 'activity' its
 * Resource becomes the activity ARN `activityArnOf(step)` gives, with HeartbeatSeconds added.
 */
export function applyHsmPlacement(
  definition: AslDefinition,
  placement: HsmPlacement,
  activityArnOf: (step: string) => string,
): AslDefinition {
  if (placement === 'lambda') return definition;
  return mapStates<AslState, AslDefinition>(definition, (_name, state) => {
    const step = typeof state.Resource === 'string' ? functionNameOf(state.Resource) : undefined;
    if (state.Type !== 'Task' || !step || !HSM_STEPS.includes(step)) return state;
    return { ...state, Resource: activityArnOf(step), HeartbeatSeconds: ACTIVITY_HEARTBEAT_SECONDS };
  });
}

/** The local activity ARN of an HSM step in a Region and account. */
export function localActivityArn(step: string, region: string, accountId: string): string {
  return `arn:aws:states:${region}:${accountId}:activity:${localActivityName(step)}`;
}
