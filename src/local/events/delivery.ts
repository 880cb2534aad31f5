// Routing an event to the targets of the rules it matches, and delivering to one target: render
// its input, hand it to the target handler that recognises its ARN (an SNS topic is only
// recorded), and keep a delivery record, SUCCEEDED or FAILED, in the log.
import {
  type BusEvent,
  type DeliveryRecord,
  type EventBusCore,
  type Rule,
  remember,
  type Target,
} from './core.ts';
import { matchesEventPattern } from './event-pattern.ts';
import { renderTargetInput } from './input-transform.ts';

/** Logs the event and delivers it to every target of every enabled rule whose pattern matches. */
export async function route(core: EventBusCore, event: BusEvent): Promise<void> {
  remember(core, core.log.events, event);
  const work: Promise<void>[] = [];
  for (const rule of core.rules.values()) {
    if (rule.state !== 'ENABLED' || !rule.pattern || !matchesEventPattern(rule.pattern, event)) continue;
    for (const target of rule.targets.values()) work.push(deliver(core, rule, target, event));
  }
  await Promise.all(work);
}

export async function deliver(
  core: EventBusCore,
  rule: Rule,
  target: Target,
  event: BusEvent,
): Promise<void> {
  const record: DeliveryRecord = {
    eventId: event.id,
    time: core.clock.now().toISOString(),
    ruleName: rule.name,
    targetId: target.Id,
    targetArn: target.Arn,
    input: null,
    status: 'SUCCEEDED',
  };
  try {
    const input = renderTargetInput(target, event as unknown as Record<string, unknown>, {
      ruleName: rule.name,
      ruleArn: rule.arn,
    });
    record.input = parseIfJson(input);
    const handler = core.handlers.find((candidate) => candidate.matches(target.Arn));
    if (handler) {
      const result = await handler.deliver({
        ruleName: rule.name,
        ruleArn: rule.arn,
        targetId: target.Id,
        targetArn: target.Arn,
        input,
        event,
      });
      if (typeof result === 'string') record.result = result;
    } else if (!isSnsTopic(target.Arn)) {
      throw new Error(`the local stack has nothing to deliver to at ${target.Arn}`);
    }
  } catch (error) {
    record.status = 'FAILED';
    record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  remember(core, core.log.deliveries, record);
}

/** Keeps `work` among the pending deliveries until it settles. */
export function track(core: EventBusCore, work: Promise<void>): void {
  core.pending.add(work);
  void work.finally(() => core.pending.delete(work));
}

function isSnsTopic(arn: string): boolean {
  return /^arn:aws[a-z-]*:sns:/.test(arn);
}

function parseIfJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
