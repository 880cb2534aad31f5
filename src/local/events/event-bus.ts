// The local EventBridge: the default event bus with rules (event patterns and schedules), targets,
// PutEvents, and delivery to targets. It speaks AWS's JSON 1.1 protocol under `AWSEvents.*` on the
// stack's one port, so EventBridgeClient and `aws events` work against it unchanged. Targets are
// delivered through handlers the stack plugs in (state machines start local executions); an SNS
// topic is a recording sink. Every event and delivery is kept in a log for tests
// (`GET /_byok/events`). This module is the service: the operation table, persistence hooks and
// the in-stack API; the operations live by topic in rules.ts, targets.ts, put-events.ts and
// schedules.ts, over the state in core.ts.
import type { Clock } from '../../core/clock.ts';
import type { TimerSource } from '../clock.ts';
import { AWS_JSON_1_1, AwsServiceError, type LocalService, type RequestContext } from '../protocol.ts';
import type { BusEvent, EventBusCore, EventLog, EventsOperation, StoredRule, TargetHandler } from './core.ts';
import { route } from './delivery.ts';
import { putEvents } from './put-events.ts';
import {
  deleteRule,
  describeRule,
  disableRule,
  enableRule,
  listRules,
  putRule,
  testEventPattern,
} from './rules.ts';
import { fireScheduledRules, nextScheduledFire } from './schedules.ts';
import { listTargetsByRule, putTargets, removeTargets, targetView } from './targets.ts';

export type {
  BusEvent,
  EventLog,
  StoredRule,
  TargetDelivery,
  TargetHandler,
} from './core.ts';

const DEFAULT_LOG_LIMIT = 10_000;

const OPERATIONS: Record<string, EventsOperation> = {
  PutRule: putRule,
  DescribeRule: describeRule,
  EnableRule: enableRule,
  DisableRule: disableRule,
  ListRules: listRules,
  DeleteRule: deleteRule,
  PutTargets: putTargets,
  ListTargetsByRule: listTargetsByRule,
  RemoveTargets: removeTargets,
  PutEvents: putEvents,
  TestEventPattern: testEventPattern,
};

// Operations that change rules or targets: the change listeners (persistence) run after each.
const MUTATING = new Set([
  'PutRule',
  'EnableRule',
  'DisableRule',
  'DeleteRule',
  'PutTargets',
  'RemoveTargets',
]);

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

  private readonly core: EventBusCore;
  private readonly changeListeners = new Set<() => void>();

  constructor(options: LocalEventBridgeOptions) {
    this.core = {
      clock: options.clock,
      region: options.region,
      accountId: options.accountId,
      rules: new Map(),
      handlers: [],
      log: { events: [], deliveries: [] },
      logLimit: options.logLimit ?? DEFAULT_LOG_LIMIT,
      pending: new Set(),
    };
    this.scheduler = {
      nextDue: () => nextScheduledFire(this.core),
      fire: (now) => fireScheduledRules(this.core, now),
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
    return [...this.core.rules.values()].map((rule) => ({
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
    this.core.handlers.push(handler);
  }

  async handle(
    operation: string,
    input: Record<string, unknown>,
    _context: RequestContext,
  ): Promise<unknown> {
    if (!Object.hasOwn(OPERATIONS, operation)) throw new AwsServiceError('UnknownOperationException');
    const output = (OPERATIONS[operation] as EventsOperation)(this.core, input);
    if (MUTATING.has(operation)) for (const listener of this.changeListeners) listener();
    return output;
  }

  /**
   * Puts an event on the bus from inside the stack (the KMS emulator's events come this way, with
   * an `aws.*` source that PutEvents refuses) and resolves when its deliveries are done.
   */
  async publish(event: BusEvent): Promise<void> {
    await route(this.core, event);
  }

  /** Resolves when every delivery started so far has finished. */
  async idle(): Promise<void> {
    while (this.core.pending.size > 0) await Promise.allSettled([...this.core.pending]);
  }

  log(filter: { source?: string | undefined; detailType?: string | undefined } = {}): EventLog {
    const events = this.core.log.events.filter(
      (event) =>
        (filter.source === undefined || event.source === filter.source) &&
        (filter.detailType === undefined || event['detail-type'] === filter.detailType),
    );
    const ids = new Set(events.map((event) => event.id));
    return { events, deliveries: this.core.log.deliveries.filter((delivery) => ids.has(delivery.eventId)) };
  }

  clearLog(): void {
    this.core.log.events.length = 0;
    this.core.log.deliveries.length = 0;
  }
}
