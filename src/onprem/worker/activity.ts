// Finds byok's HSM activities without --activity-arn: for each HSM step of
// statemachines/hsm-placement.json, the one activity named `byok-<suffix>` (the local stack) or
// `byok-<stage>-<suffix>` (the deployed stack, service `byok`). The wrap activity must exist; the
// rotation's (create/retire rotation material) are polled when the stack has them.
import { ListActivitiesCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { activitySuffixOf, HSM_STEPS } from '../runner/hsm-placement.ts';
import { WrapActivityNotFoundError } from './errors.ts';
import type { HsmActivity } from './worker.ts';

const WRAP_STEP = 'wrap-key-material';

function isActivityNameOf(step: string, name: string): boolean {
  const suffix = activitySuffixOf(step) ?? step;
  return name === `byok-${suffix}` || (name.startsWith('byok-') && name.endsWith(`-${suffix}`));
}

export function isWrapActivityName(name: string): boolean {
  return isActivityNameOf(WRAP_STEP, name);
}

/** Every HSM activity here, by step: WrapActivityNotFoundError without exactly one wrap activity. */
export async function findHsmActivities(sfn: SFNClient): Promise<HsmActivity[]> {
  const found = new Map<string, string[]>(HSM_STEPS.map((step) => [step, []]));
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListActivitiesCommand({ nextToken }));
    for (const activity of page.activities ?? []) {
      if (!activity.name || !activity.activityArn) continue;
      // The longest suffix wins: `...-retire-rotation-material` is not also `...-material`.
      const step = [...HSM_STEPS]
        .filter((candidate) => isActivityNameOf(candidate, activity.name as string))
        .sort((a, b) => (activitySuffixOf(b) ?? b).length - (activitySuffixOf(a) ?? a).length)[0];
      if (step) found.get(step)?.push(activity.activityArn);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  const wrap = found.get(WRAP_STEP) ?? [];
  if (wrap.length !== 1) {
    throw new WrapActivityNotFoundError(
      wrap.length === 0
        ? "no activity named byok-wrap-key-material or byok-<stage>-wrap-key-material here: the stack's HSM steps are not placed as activities"
        : `several wrap activities here: ${wrap.join(', ')}`,
    );
  }
  const activities: HsmActivity[] = [];
  for (const [step, arns] of found) {
    if (arns.length > 1)
      throw new WrapActivityNotFoundError(`several ${step} activities here: ${arns.join(', ')}`);
    if (arns[0]) activities.push({ step, activityArn: arns[0] });
  }
  return activities;
}

/** The wrap activity only (kept for callers that poll just the wrap step). */
export async function findWrapActivity(sfn: SFNClient): Promise<string> {
  const wrap = (await findHsmActivities(sfn)).find((activity) => activity.step === WRAP_STEP);
  return wrap?.activityArn as string;
}
