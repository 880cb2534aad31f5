// Step Functions' list calls, every page, through the SDK's paginators (one place for this service).
import {
  type ActivityListItem,
  type HistoryEvent,
  paginateGetExecutionHistory,
  paginateListActivities,
  paginateListStateMachines,
  type SFNClient,
  type StateMachineListItem,
} from '@aws-sdk/client-sfn';

/** Every state machine of the account and Region. */
export async function listStateMachines(sfn: SFNClient): Promise<StateMachineListItem[]> {
  const machines: StateMachineListItem[] = [];
  for await (const page of paginateListStateMachines({ client: sfn }, {}))
    machines.push(...(page.stateMachines ?? []));
  return machines;
}

/** The first state machine `matches` accepts; reads no page after the one it is on. */
export async function findStateMachine(
  sfn: SFNClient,
  matches: (machine: StateMachineListItem) => boolean,
): Promise<StateMachineListItem | undefined> {
  for await (const page of paginateListStateMachines({ client: sfn }, {})) {
    const found = page.stateMachines?.find(matches);
    if (found) return found;
  }
  return undefined;
}

/** Every activity of the account and Region. */
export async function listActivities(sfn: SFNClient): Promise<ActivityListItem[]> {
  const activities: ActivityListItem[] = [];
  for await (const page of paginateListActivities({ client: sfn }, {}))
    activities.push(...(page.activities ?? []));
  return activities;
}

/** An execution's events, oldest first, 1000 a page, stopping once `maxEvents` are read. */
export async function executionHistory(
  sfn: SFNClient,
  executionArn: string,
  options: { includeExecutionData: boolean; maxEvents: number },
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory(
    { client: sfn, pageSize: 1000 },
    { executionArn, includeExecutionData: options.includeExecutionData },
  )) {
    events.push(...(page.events ?? []));
    if (events.length >= options.maxEvents) break;
  }
  return events;
}
