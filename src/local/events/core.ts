// What every EventBridge operation works with: the bus's rules, the target handlers the stack
// plugs in, and the event and delivery log. Operations are plain functions over this, grouped by
// topic (rules.ts, targets.ts, put-events.ts, schedules.ts), the way the KMS emulator is built.
import type { Clock } from '../../core/clock.ts';
import type { EventPattern } from './event-pattern.ts';
import type { InputTransformer } from './input-transform.ts';
import type { Schedule } from './schedule-expression.ts';

export const DEFAULT_BUS = 'default';

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

export interface Rule {
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

export interface EventBusCore {
  clock: Clock;
  region: string;
  accountId: string;
  /** The default bus's rules, by name. */
  rules: Map<string, Rule>;
  handlers: TargetHandler[];
  /** Every event and delivery, oldest first, at most `logLimit` of each. */
  log: EventLog;
  logLimit: number;
  /** Deliveries started by PutEvents and not yet finished (`idle()` waits for them). */
  pending: Set<Promise<void>>;
}

export type EventsInput = Record<string, unknown>;
export type EventsOperation = (core: EventBusCore, input: EventsInput) => unknown;

/** Appends to a log list, dropping the oldest entries beyond the core's limit. */
export function remember<T>(core: EventBusCore, list: T[], item: T): void {
  list.push(item);
  if (list.length > core.logLimit) list.splice(0, list.length - core.logLimit);
}

/** EventBridge's `time`: ISO 8601 to the second, in UTC. */
export function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
