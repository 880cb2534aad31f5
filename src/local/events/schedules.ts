// Scheduled rules on the virtual clock: when each enabled rule with a ScheduleExpression fires
// next, and firing the due ones (a `Scheduled Event` from `aws.events` to each of their targets).
import { randomUUID } from 'node:crypto';
import { type BusEvent, type EventBusCore, eventTime, type Rule, remember } from './core.ts';
import { deliver } from './delivery.ts';
import { nextFireTime } from './schedule-expression.ts';

/** Sets when the rule fires next: never if it has no schedule or is disabled. */
export function reschedule(rule: Rule, now: Date): void {
  rule.nextFireAt =
    rule.schedule && rule.state === 'ENABLED'
      ? nextFireTime(rule.schedule, rule.scheduleAnchor, now)
      : undefined;
}

export function nextScheduledFire(core: EventBusCore): Date | undefined {
  let earliest: Date | undefined;
  for (const rule of core.rules.values()) {
    if (rule.nextFireAt && (!earliest || rule.nextFireAt < earliest)) earliest = rule.nextFireAt;
  }
  return earliest;
}

export async function fireScheduledRules(core: EventBusCore, now: Date): Promise<void> {
  const due = [...core.rules.values()]
    .filter((rule) => rule.nextFireAt && rule.nextFireAt.getTime() <= now.getTime())
    .sort((a, b) => (a.nextFireAt?.getTime() ?? 0) - (b.nextFireAt?.getTime() ?? 0));
  const work: Promise<void>[] = [];
  for (const rule of due) {
    const firedAt = rule.nextFireAt as Date;
    // EventBridge does not catch up on missed fires: the next one is the first after now.
    reschedule(rule, now);
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: core.accountId,
      time: eventTime(firedAt),
      region: core.region,
      resources: [rule.arn],
      detail: {},
    };
    remember(core, core.log.events, event);
    for (const target of rule.targets.values()) work.push(deliver(core, rule, target, event));
  }
  await Promise.all(work);
}
