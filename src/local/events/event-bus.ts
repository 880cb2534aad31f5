// The local EventBridge: the default event bus with rules (event patterns and schedules), targets,
// PutEvents, and delivery to targets. It speaks AWS's JSON 1.1 protocol under `AWSEvents.*` on the
// stack's one port, so EventBridgeClient and `aws events` work against it unchanged. Targets are
// delivered through handlers the stack plugs in (state machines start local executions); an SNS
// topic is a recording sink. Every event and delivery is kept in a log for tests
// (`GET /_byok/events`).
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import type { TimerSource } from '../clock.ts';
import { AWS_JSON_1_1, AwsServiceError, type LocalService, type RequestContext } from '../protocol.ts';
import { EventPatternSyntaxError, ScheduleExpressionError } from './errors.ts';
import { type EventPattern, matchesEventPattern, parseEventPattern } from './event-pattern.ts';
import { type InputTransformer, renderTargetInput } from './input-transform.ts';
import { nextFireTime, parseScheduleExpression, type Schedule } from './schedule-expression.ts';

export const DEFAULT_BUS = 'default';
const MAX_TARGETS_PER_RULE = 5;
const MAX_ENTRIES_PER_PUT = 10;
const NAME_PATTERN = /^[.\-_A-Za-z0-9]{1,64}$/;
const DEFAULT_LOG_LIMIT = 10_000;
const MUTATING = new Set([
  'PutRule',
  'EnableRule',
  'DisableRule',
  'DeleteRule',
  'PutTargets',
  'RemoveTargets',
]);

/** A rule as stored in the stack's state dir: PutRule's input plus its targets. */
export interface StoredRule {
  Name: string;
  Description?: string;
  RoleArn?: string;
  EventPattern?: string;
  ScheduleExpression?: string;
  State: 'ENABLED' | 'DISABLED';
  Targets: Record<string, unknown>[];
}

/** An event as EventBridge hands it to rules and targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface Target {
  Id: string;
  Arn: string;
  RoleArn?: string | undefined;
  Input?: string | undefined;
  InputPath?: string | undefined;
  InputTransformer?: InputTransformer | undefined;
}

interface Rule {
  name: string;
  arn: string;
  description: string | undefined;
  roleArn: string | undefined;
  state: 'ENABLED' | 'DISABLED';
  eventPatternText: string | undefined;
  pattern: EventPattern | undefined;
  schedule: Schedule | undefined;
  /** Rate schedules count periods from here (creation, or the last change or enabling). */
  scheduleAnchor: Date;
  nextFireAt: Date | undefined;
  targets: Map<string, Target>;
}

/** What a target handler receives for one delivery. */
export interface TargetDelivery {
  ruleName: string;
  ruleArn: string;
  targetId: string;
  targetArn: string;
  /** The rendered input (JSON text, or plain text from a non-JSON template). */
  input: string;
  event: BusEvent;
}

/** Delivers to targets whose ARN it recognises (e.g. local state machines). */
export interface TargetHandler {
  matches(arn: string): boolean;
  deliver(delivery: TargetDelivery): Promise<unknown>;
}

export interface DeliveryRecord {
  eventId: string;
  time: string;
  ruleName: string;
  targetId: string;
  targetArn: string;
  input: unknown;
  status: 'SUCCEEDED' | 'FAILED';
  /** What the handler returned (e.g. an execution ARN), when it returned a string. */
  result?: string;
  error?: string;
}

export interface EventLog {
  events: BusEvent[];
  deliveries: DeliveryRecord[];
}

export interface LocalEventBridgeOptions {
  clock: Clock;
  region: string;
  accountId: string;
  /** Most events and deliveries kept in the log (oldest dropped first). */
  logLimit?: number;
}

export class LocalEventBridge implements LocalService {
  readonly targetPrefix = 'AWSEvents';
  readonly contentType = AWS_JSON_1_1;
  /** Fires scheduled rules on the clock; the stack registers it with the VirtualClock. */
  readonly scheduler: TimerSource;

  private readonly rules = new Map<string, Rule>();
  private readonly handlers: TargetHandler[] = [];
  private readonly events: BusEvent[] = [];
  private readonly deliveries: DeliveryRecord[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly logLimit: number;
  private readonly changeListeners = new Set<() => void>();

  constructor(private readonly options: LocalEventBridgeOptions) {
    this.logLimit = options.logLimit ?? DEFAULT_LOG_LIMIT;
    this.scheduler = {
      nextDue: () => this.nextScheduledFire(),
      fire: (now) => this.fireScheduledRules(now),
    };
  }

  /** Called after every change to rules or targets (the stack persists them). */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => {
      this.changeListeners.delete(listener);
    };
  }

  /** Rules and targets as PutRule and PutTargets inputs: replaying them restores the bus. */
  snapshot(): StoredRule[] {
    return [...this.rules.values()].map((rule) => ({
      Name: rule.name,
      ...(rule.description !== undefined ? { Description: rule.description } : {}),
      ...(rule.roleArn !== undefined ? { RoleArn: rule.roleArn } : {}),
      ...(rule.eventPatternText !== undefined ? { EventPattern: rule.eventPatternText } : {}),
      ...(rule.schedule ? { ScheduleExpression: rule.schedule.expression } : {}),
      State: rule.state,
      Targets: [...rule.targets.values()].map(targetView),
    }));
  }

  /** Adds a handler for target ARNs it recognises; SNS topics are recorded without a handler. */
  addTargetHandler(handler: TargetHandler): void {
    this.handlers.push(handler);
  }

  async handle(
    operation: string,
    input: Record<string, unknown>,
    _context: RequestContext,
  ): Promise<unknown> {
    const output = this.dispatch(operation, input);
    if (MUTATING.has(operation)) for (const listener of this.changeListeners) listener();
    return output;
  }

  private dispatch(operation: string, input: Record<string, unknown>): unknown {
    switch (operation) {
      case 'PutRule':
        return this.putRule(input);
      case 'DescribeRule':
        return this.describeRule(input);
      case 'EnableRule':
        return this.setRuleState(input, 'ENABLED');
      case 'DisableRule':
        return this.setRuleState(input, 'DISABLED');
      case 'ListRules':
        return this.listRules(input);
      case 'DeleteRule':
        return this.deleteRule(input);
      case 'PutTargets':
        return this.putTargets(input);
      case 'ListTargetsByRule':
        return this.listTargetsByRule(input);
      case 'RemoveTargets':
        return this.removeTargets(input);
      case 'PutEvents':
        return this.putEvents(input);
      case 'TestEventPattern':
        return testEventPattern(input);
      default:
        throw new AwsServiceError('UnknownOperationException');
    }
  }

  /**
   * Puts an event on the bus from inside the stack (the KMS emulator's events come this way, with
   * an `aws.*` source that PutEvents refuses) and resolves when its deliveries are done.
   */
  async publish(event: BusEvent): Promise<void> {
    await this.route(event);
  }

  /** Resolves when every delivery started so far has finished. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  log(filter: { source?: string | undefined; detailType?: string | undefined } = {}): EventLog {
    const events = this.events.filter(
      (event) =>
        (filter.source === undefined || event.source === filter.source) &&
        (filter.detailType === undefined || event['detail-type'] === filter.detailType),
    );
    const ids = new Set(events.map((event) => event.id));
    return { events, deliveries: this.deliveries.filter((delivery) => ids.has(delivery.eventId)) };
  }

  clearLog(): void {
    this.events.length = 0;
    this.deliveries.length = 0;
  }

  // ---- rules -----------------------------------------------------------------------------------

  private putRule(input: Record<string, unknown>): { RuleArn: string } {
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
    const existing = this.rules.get(name);
    const now = this.options.clock.now();
    const rule: Rule = {
      name,
      arn: `arn:aws:events:${this.options.region}:${this.options.accountId}:rule/${name}`,
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
    this.rules.set(name, rule);
    this.reschedule(rule, now);
    return { RuleArn: rule.arn };
  }

  private describeRule(input: Record<string, unknown>): Record<string, unknown> {
    const rule = this.requireRule(input.Name, input.EventBusName);
    return { ...ruleView(rule), CreatedBy: this.options.accountId };
  }

  private setRuleState(input: Record<string, unknown>, state: 'ENABLED' | 'DISABLED'): Record<string, never> {
    const rule = this.requireRule(input.Name, input.EventBusName);
    if (rule.state !== state) {
      rule.state = state;
      const now = this.options.clock.now();
      if (state === 'ENABLED') rule.scheduleAnchor = now;
      this.reschedule(rule, now);
    }
    return {};
  }

  private listRules(input: Record<string, unknown>): Record<string, unknown> {
    checkBus(input.EventBusName);
    const prefix = optionalString(input.NamePrefix, 'namePrefix') ?? '';
    const matching = [...this.rules.values()]
      .filter((rule) => rule.name.startsWith(prefix))
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, nextToken } = paginate(matching, input.NextToken, input.Limit);
    return { Rules: page.map(ruleView), ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  private deleteRule(input: Record<string, unknown>): Record<string, never> {
    const name = requireName(input.Name, 'name');
    checkBus(input.EventBusName);
    const rule = this.rules.get(name);
    if (!rule) return {};
    if (rule.targets.size > 0) {
      throw new AwsServiceError('ValidationException', "Rule can't be deleted since it has targets.");
    }
    this.rules.delete(name);
    return {};
  }

  // ---- targets ---------------------------------------------------------------------------------

  private putTargets(input: Record<string, unknown>): Record<string, unknown> {
    const rule = this.requireRule(input.Rule, input.EventBusName);
    const targets = input.Targets;
    if (!Array.isArray(targets) || targets.length === 0) {
      throw new AwsServiceError('ValidationException', 'Targets must contain at least one target.');
    }
    const parsed = targets.map(parseTarget);
    const newIds = parsed.filter((target) => !rule.targets.has(target.Id)).length;
    if (rule.targets.size + newIds > MAX_TARGETS_PER_RULE) {
      throw new AwsServiceError(
        'LimitExceededException',
        'The requested resource exceeds the maximum number allowed.',
      );
    }
    for (const target of parsed) rule.targets.set(target.Id, target);
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  private listTargetsByRule(input: Record<string, unknown>): Record<string, unknown> {
    const rule = this.requireRule(input.Rule, input.EventBusName);
    const { page, nextToken } = paginate([...rule.targets.values()], input.NextToken, input.Limit);
    return { Targets: page.map(targetView), ...(nextToken ? { NextToken: nextToken } : {}) };
  }

  private removeTargets(input: Record<string, unknown>): Record<string, unknown> {
    const rule = this.requireRule(input.Rule, input.EventBusName);
    if (!Array.isArray(input.Ids) || input.Ids.length === 0) {
      throw new AwsServiceError('ValidationException', 'Ids must contain at least one target id.');
    }
    for (const id of input.Ids) rule.targets.delete(String(id));
    return { FailedEntryCount: 0, FailedEntries: [] };
  }

  // ---- events ----------------------------------------------------------------------------------

  private putEvents(input: Record<string, unknown>): Record<string, unknown> {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES_PER_PUT) {
      throw new AwsServiceError(
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES_PER_PUT}`,
      );
    }
    const results = entries.map((entry: unknown) => {
      const built = this.eventFromEntry(entry);
      if ('ErrorCode' in built) return built;
      this.track(this.route(built));
      return { EventId: built.id };
    });
    return {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    };
  }

  private eventFromEntry(entry: unknown): BusEvent | { ErrorCode: string; ErrorMessage: string } {
    const invalid = (field: string, reason: string) => ({
      ErrorCode: 'InvalidArgument',
      ErrorMessage: `Parameter ${field} is not valid. Reason: ${reason}`,
    });
    if (entry === null || typeof entry !== 'object') return invalid('Entry', 'Entry is malformed.');
    const fields = entry as Record<string, unknown>;
    if (fields.EventBusName !== undefined && !isDefaultBus(fields.EventBusName)) {
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${String(fields.EventBusName)} does not exist.`,
      };
    }
    if (typeof fields.Source !== 'string' || fields.Source === '')
      return invalid('Source', 'Source is a required argument.');
    if (typeof fields.DetailType !== 'string' || fields.DetailType === '') {
      return invalid('DetailType', 'DetailType is a required argument.');
    }
    if (typeof fields.Detail !== 'string') return invalid('Detail', 'Detail is a required argument.');
    if (fields.Source.startsWith('aws.')) {
      return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(fields.Detail);
    } catch {
      return invalid('Detail', 'Detail is malformed.');
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
      return invalid('Detail', 'Detail is malformed.');
    const time = typeof fields.Time === 'number' ? new Date(fields.Time * 1000) : this.options.clock.now();
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': fields.DetailType,
      source: fields.Source,
      account: this.options.accountId,
      time: eventTime(time),
      region: this.options.region,
      resources: Array.isArray(fields.Resources) ? fields.Resources.map(String) : [],
      detail: detail as Record<string, unknown>,
    };
  }

  private async route(event: BusEvent): Promise<void> {
    this.remember(this.events, event);
    const work: Promise<void>[] = [];
    for (const rule of this.rules.values()) {
      if (rule.state !== 'ENABLED' || !rule.pattern || !matchesEventPattern(rule.pattern, event)) continue;
      for (const target of rule.targets.values()) work.push(this.deliver(rule, target, event));
    }
    await Promise.all(work);
  }

  private async deliver(rule: Rule, target: Target, event: BusEvent): Promise<void> {
    const record: DeliveryRecord = {
      eventId: event.id,
      time: this.options.clock.now().toISOString(),
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
      const handler = this.handlers.find((candidate) => candidate.matches(target.Arn));
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
    this.remember(this.deliveries, record);
  }

  // ---- schedules -------------------------------------------------------------------------------

  private reschedule(rule: Rule, now: Date): void {
    rule.nextFireAt =
      rule.schedule && rule.state === 'ENABLED'
        ? nextFireTime(rule.schedule, rule.scheduleAnchor, now)
        : undefined;
  }

  private nextScheduledFire(): Date | undefined {
    let earliest: Date | undefined;
    for (const rule of this.rules.values()) {
      if (rule.nextFireAt && (!earliest || rule.nextFireAt < earliest)) earliest = rule.nextFireAt;
    }
    return earliest;
  }

  private async fireScheduledRules(now: Date): Promise<void> {
    const due = [...this.rules.values()]
      .filter((rule) => rule.nextFireAt && rule.nextFireAt.getTime() <= now.getTime())
      .sort((a, b) => (a.nextFireAt?.getTime() ?? 0) - (b.nextFireAt?.getTime() ?? 0));
    const work: Promise<void>[] = [];
    for (const rule of due) {
      const firedAt = rule.nextFireAt as Date;
      // EventBridge does not catch up on missed fires: the next one is the first after now.
      this.reschedule(rule, now);
      const event: BusEvent = {
        version: '0',
        id: randomUUID(),
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: this.options.accountId,
        time: eventTime(firedAt),
        region: this.options.region,
        resources: [rule.arn],
        detail: {},
      };
      this.remember(this.events, event);
      for (const target of rule.targets.values()) work.push(this.deliver(rule, target, event));
    }
    await Promise.all(work);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private requireRule(name: unknown, bus: unknown): Rule {
    const ruleName = requireName(name, 'name');
    checkBus(bus);
    const rule = this.rules.get(ruleName);
    if (!rule)
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Rule ${ruleName} does not exist on EventBus default.`,
      );
    return rule;
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private remember<T>(list: T[], item: T): void {
    list.push(item);
    if (list.length > this.logLimit) list.splice(0, list.length - this.logLimit);
  }
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

const REQUIRED_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'detail-type'];

function testEventPattern(input: Record<string, unknown>): { Result: boolean } {
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

function targetView(target: Target): Record<string, unknown> {
  return Object.fromEntries(Object.entries(target).filter(([, value]) => value !== undefined));
}

function parseTarget(raw: unknown): Target {
  if (raw === null || typeof raw !== 'object')
    throw new AwsServiceError('ValidationException', 'Target is malformed.');
  const fields = raw as Record<string, unknown>;
  const id = requireName(fields.Id, 'targets.member.id');
  if (typeof fields.Arn !== 'string' || !fields.Arn.startsWith('arn:')) {
    throw new AwsServiceError('ValidationException', `Parameter Arn of target ${id} is not valid.`);
  }
  const input = optionalString(fields.Input, 'input');
  const inputPath = optionalString(fields.InputPath, 'inputPath');
  const transformer = fields.InputTransformer as Record<string, unknown> | undefined;
  const given = [input, inputPath, transformer].filter((value) => value !== undefined).length;
  if (given > 1) {
    throw new AwsServiceError(
      'ValidationException',
      'Only one of Input, InputPath, or InputTransformer must be provided for an EventBridge target.',
    );
  }
  if (input !== undefined) {
    try {
      JSON.parse(input);
    } catch {
      throw new AwsServiceError('ValidationException', `Input for target ${id} is not valid JSON text.`);
    }
  }
  let inputTransformer: InputTransformer | undefined;
  if (transformer !== undefined) {
    if (typeof transformer.InputTemplate !== 'string') {
      throw new AwsServiceError(
        'ValidationException',
        `InputTransformer of target ${id} needs an InputTemplate.`,
      );
    }
    inputTransformer = {
      InputTemplate: transformer.InputTemplate,
      InputPathsMap: (transformer.InputPathsMap as Record<string, string> | undefined) ?? {},
    };
  }
  return {
    Id: id,
    Arn: fields.Arn,
    RoleArn: optionalString(fields.RoleArn, 'roleArn'),
    Input: input,
    InputPath: inputPath,
    InputTransformer: inputTransformer,
  };
}

function requireName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`,
    );
  }
  return value;
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new AwsServiceError('SerializationException', `Expected a string for ${field}.`);
  }
  return value;
}

function parseState(value: unknown): 'ENABLED' | 'DISABLED' {
  if (value === undefined || value === null || value === 'ENABLED') return 'ENABLED';
  if (value === 'DISABLED') return 'DISABLED';
  throw new AwsServiceError(
    'ValidationException',
    `1 validation error detected: Value '${String(value)}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]`,
  );
}

function isDefaultBus(value: unknown): boolean {
  return (
    value === DEFAULT_BUS ||
    (typeof value === 'string' && /^arn:aws[a-z-]*:events:[^:]+:\d{12}:event-bus\/default$/.test(value))
  );
}

function checkBus(value: unknown): void {
  if (value === undefined || value === null || isDefaultBus(value)) return;
  throw new AwsServiceError('ResourceNotFoundException', `Event bus ${String(value)} does not exist.`);
}

function paginate<T>(
  items: T[],
  token: unknown,
  limit: unknown,
): { page: T[]; nextToken: string | undefined } {
  const start = typeof token === 'string' && /^\d+$/.test(token) ? Number(token) : 0;
  const size = typeof limit === 'number' && limit > 0 ? Math.min(limit, 100) : 100;
  const page = items.slice(start, start + size);
  return { page, nextToken: start + size < items.length ? String(start + size) : undefined };
}

function isSnsTopic(arn: string): boolean {
  return /^arn:aws[a-z-]*:sns:/.test(arn);
}

/** EventBridge's `time`: ISO 8601 to the second, in UTC. */
export function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parseIfJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
