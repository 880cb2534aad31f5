// Rules on the default bus: PutRule, DescribeRule, Enable/DisableRule, ListRules, DeleteRule, and
// TestEventPattern (the same pattern reading a rule uses, on one event).
import { AwsServiceError } from '../protocol.ts';
import { DEFAULT_BUS, type EventBusCore, type EventsInput, type Rule } from './core.ts';
import { EventPatternSyntaxError, ScheduleExpressionError } from './errors.ts';
import { type EventPattern, matchesEventPattern, parseEventPattern } from './event-pattern.ts';
import { checkBus, optionalString, paginate, parseState, requireName, requireRule } from './input.ts';
import { parseScheduleExpression, type Schedule } from './schedule-expression.ts';
import { reschedule } from './schedules.ts';

export function putRule(core: EventBusCore, input: EventsInput): { RuleArn: string } {
  const name = requireName(input.Name, 'name');
  checkBus(input.EventBusName);
  const scheduleExpression = optionalString(input.ScheduleExpression, 'scheduleExpression');
  const eventPatternText = optionalString(input.EventPattern, 'eventPattern');
  if (scheduleExpression === undefined && eventPatternText === undefined) {
    throw new AwsServiceError(
      'ValidationException',
      'Parameter(s) EventPattern or ScheduleExpression must be specified.',
    );
  }
  const state = parseState(input.State);
  const pattern = eventPatternText === undefined ? undefined : eventPatternOf(eventPatternText);
  let schedule: Schedule | undefined;
  if (scheduleExpression !== undefined) {
    try {
      schedule = parseScheduleExpression(scheduleExpression);
    } catch (error) {
      if (error instanceof ScheduleExpressionError)
        throw new AwsServiceError('ValidationException', error.message);
      throw error;
    }
  }
  const existing = core.rules.get(name);
  const now = core.clock.now();
  const rule: Rule = {
    name,
    arn: `arn:aws:events:${core.region}:${core.accountId}:rule/${name}`,
    description: optionalString(input.Description, 'description'),
    roleArn: optionalString(input.RoleArn, 'roleArn'),
    state,
    eventPatternText,
    pattern,
    schedule,
    scheduleAnchor: now,
    nextFireAt: undefined,
    targets: existing?.targets ?? new Map(),
  };
  // An unchanged schedule keeps its rhythm; a new or changed one starts counting now.
  if (existing?.schedule && schedule && existing.schedule.expression === schedule.expression) {
    rule.scheduleAnchor = existing.scheduleAnchor;
  }
  core.rules.set(name, rule);
  reschedule(rule, now);
  return { RuleArn: rule.arn };
}

export function describeRule(core: EventBusCore, input: EventsInput): Record<string, unknown> {
  const rule = requireRule(core, input.Name, input.EventBusName);
  return { ...ruleView(rule), CreatedBy: core.accountId };
}

export function enableRule(core: EventBusCore, input: EventsInput): Record<string, never> {
  return setRuleState(core, input, 'ENABLED');
}

export function disableRule(core: EventBusCore, input: EventsInput): Record<string, never> {
  return setRuleState(core, input, 'DISABLED');
}

function setRuleState(
  core: EventBusCore,
  input: EventsInput,
  state: 'ENABLED' | 'DISABLED',
): Record<string, never> {
  const rule = requireRule(core, input.Name, input.EventBusName);
  if (rule.state !== state) {
    rule.state = state;
    const now = core.clock.now();
    if (state === 'ENABLED') rule.scheduleAnchor = now;
    reschedule(rule, now);
  }
  return {};
}

export function listRules(core: EventBusCore, input: EventsInput): Record<string, unknown> {
  checkBus(input.EventBusName);
  const prefix = optionalString(input.NamePrefix, 'namePrefix') ?? '';
  const matching = [...core.rules.values()]
    .filter((rule) => rule.name.startsWith(prefix))
    .sort((a, b) => a.name.localeCompare(b.name));
  const { page, nextToken } = paginate(matching, input.NextToken, input.Limit);
  return { Rules: page.map(ruleView), ...(nextToken ? { NextToken: nextToken } : {}) };
}

export function deleteRule(core: EventBusCore, input: EventsInput): Record<string, never> {
  const name = requireName(input.Name, 'name');
  checkBus(input.EventBusName);
  const rule = core.rules.get(name);
  if (!rule) return {};
  if (rule.targets.size > 0) {
    throw new AwsServiceError('ValidationException', "Rule can't be deleted since it has targets.");
  }
  core.rules.delete(name);
  return {};
}

const REQUIRED_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'];

export function testEventPattern(_core: EventBusCore, input: EventsInput): { Result: boolean } {
  const patternText = optionalString(input.EventPattern, 'eventPattern');
  const eventText = optionalString(input.Event, 'event');
  if (patternText === undefined || eventText === undefined) {
    throw new AwsServiceError('ValidationException', 'EventPattern and Event are required.');
  }
  const pattern = eventPatternOf(patternText);
  let event: unknown;
  try {
    event = JSON.parse(eventText);
  } catch {
    throw new AwsServiceError('ValidationException', 'Parameter Event is not valid.');
  }
  const missing =
    event === null || typeof event !== 'object'
      ? REQUIRED_EVENT_FIELDS
      : REQUIRED_EVENT_FIELDS.filter((field) => !(field in event));
  if (missing.length > 0) {
    throw new AwsServiceError(
      'ValidationException',
      `Parameter Event is not valid: missing ${missing.join(', ')}.`,
    );
  }
  return { Result: matchesEventPattern(pattern, event) };
}

/** An EventPattern parameter, or EventBridge's InvalidEventPatternException naming what is wrong. */
function eventPatternOf(text: string): EventPattern {
  try {
    return parseEventPattern(text);
  } catch (error) {
    if (error instanceof EventPatternSyntaxError) {
      throw new AwsServiceError(
        'InvalidEventPatternException',
        `Event pattern is not valid. Reason: ${error.message}`,
      );
    }
    throw error;
  }
}

function ruleView(rule: Rule): Record<string, unknown> {
  return {
    Name: rule.name,
    Arn: rule.arn,
    ...(rule.eventPatternText !== undefined ? { EventPattern: rule.eventPatternText } : {}),
    ...(rule.schedule ? { ScheduleExpression: rule.schedule.expression } : {}),
    State: rule.state,
    ...(rule.description !== undefined ? { Description: rule.description } : {}),
    ...(rule.roleArn !== undefined ? { RoleArn: rule.roleArn } : {}),
    EventBusName: DEFAULT_BUS,
  };
}
