// Finds byok's wrap activity without --activity-arn: the one activity named `byok-wrap-key-material`
// (the local stack) or `byok-<stage>-wrap-key-material` (the deployed stack, service `byok`).
import { ListActivitiesCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { activitySuffixOf } from '../runner/hsm-placement.ts';
import { WrapActivityNotFoundError } from './errors.ts';

const WRAP_STEP = 'wrap-key-material';

export function isWrapActivityName(name: string): boolean {
  const suffix = activitySuffixOf(WRAP_STEP) ?? WRAP_STEP;
  return name === `byok-${suffix}` || (name.startsWith('byok-') && name.endsWith(`-${suffix}`));
}

export async function findWrapActivity(sfn: SFNClient): Promise<string> {
  const found: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListActivitiesCommand({ nextToken }));
    for (const activity of page.activities ?? []) {
      if (activity.name && activity.activityArn && isWrapActivityName(activity.name))
        found.push(activity.activityArn);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  if (found.length === 1) return found[0] as string;
  throw new WrapActivityNotFoundError(
    found.length === 0
      ? "no activity named byok-wrap-key-material or byok-<stage>-wrap-key-material here: the stack's HSM steps are not placed as activities"
      : `several wrap activities here: ${found.join(', ')}`,
  );
}
