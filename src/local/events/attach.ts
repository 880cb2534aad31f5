// Puts the local EventBridge on a running local stack: the AWSEvents service on the shared port,
// the scheduler on the virtual clock, the KMS emulator's events onto the bus, the admin view
// `/_byok/events`, and byok's rules from deploy/event-rules.json (the same file serverless.yml
// reads), with their targets pointed at the local state machines and a local alert topic.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { TimerSource } from '../clock.ts';
import { LocalStateCorruptError } from '../errors.ts';
import { parseStateFile } from '../persistence.ts';
import { AwsServiceError, type LocalService } from '../protocol.ts';
import { LocalEventsError } from './errors.ts';
import { type BusEvent, LocalEventBridge, type StoredRule } from './event-bus.ts';

export const EVENT_RULES_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'deploy',
  'event-rules.json',
);

/** Local rule names: `byok-<name>`, as the deployed stack uses `<service>-<stage>-<name>`. */
const LOCAL_RULE_PREFIX = 'byok-';

/** The parts of a local stack the EventBridge attaches to (structural, so tests can pass their own). */
export interface AttachableStack {
  region: string;
  accountId: string;
  clock: { now(): Date; addTimerSource(source: TimerSource): () => void };
  server: {
    register(service: LocalService): void;
    addAdminRoute(
      name: string,
      handler: (request: { method: string; query: URLSearchParams }) => unknown,
    ): void;
  };
  kms?: { onEvent(listener: (event: BusEvent) => void | Promise<void>): () => void } | undefined;
}

export interface AttachEventsOptions {
  /** Install the rules of deploy/event-rules.json (default true). */
  installRules?: boolean;
  /** Replaces the sweep's schedule expression (e.g. `rate(1 day)`). */
  sweepSchedule?: string | undefined;
  /** Rules (by their name in the file, e.g. `reimport-sweep`) installed DISABLED. */
  disabledRules?: readonly string[] | undefined;
  rulesFile?: string | undefined;
  /**
   * The stack's state dir: rules and targets (and whether byok's rules are enabled) survive a
   * restart. byok's rules are installed from the file again, keeping their stored state.
   */
  store?:
    | { read(name: string): unknown; write(name: string, value: unknown): void; path?(name: string): string }
    | undefined;
}

const STORE_NAME = 'events';

export interface AttachedEvents {
  bus: LocalEventBridge;
  /** The ARN each rule target name resolves to locally. */
  targetArns: Record<string, string>;
  detach(): void;
}

export async function attachLocalEvents(
  stack: AttachableStack,
  options: AttachEventsOptions = {},
): Promise<AttachedEvents> {
  const bus = new LocalEventBridge({ clock: stack.clock, region: stack.region, accountId: stack.accountId });
  stack.server.register(bus);
  const removeTimer = stack.clock.addTimerSource(bus.scheduler);
  const unsubscribe = stack.kms?.onEvent((event) => bus.publish(event));
  stack.server.addAdminRoute('events', ({ method, query }) => {
    if (method === 'DELETE') {
      bus.clearLog();
      return { events: [], deliveries: [] };
    }
    return bus.log({
      source: query.get('source') ?? undefined,
      detailType: query.get('detailType') ?? undefined,
    });
  });
  const targetArns = localTargetArns(stack.region, stack.accountId);
  const storePath = options.store?.path?.(STORE_NAME) ?? `${STORE_NAME}.json`;
  const stored = options.store ? readStoredRules(options.store.read(STORE_NAME), storePath) : [];
  await restoreRules(bus, stored, storePath);
  if (options.installRules !== false) {
    const storedStates = new Map(stored.map((rule) => [rule.Name, rule.State]));
    await installRules(
      bus,
      readRulesFile(options.rulesFile ?? EVENT_RULES_FILE),
      targetArns,
      options,
      storedStates,
    );
  }
  const store = options.store;
  if (store) {
    const save = () => store.write(STORE_NAME, { rules: bus.snapshot() });
    save();
    bus.onChange(save);
  }
  return {
    bus,
    targetArns,
    detach() {
      removeTimer();
      unsubscribe?.();
    },
  };
}

function localTargetArns(region: string, accountId: string): Record<string, string> {
  return {
    ReimportExpiringKeys: `arn:aws:states:${region}:${accountId}:stateMachine:reimport-expiring-keys`,
    ImportKeyMaterial: `arn:aws:states:${region}:${accountId}:stateMachine:import-key-material`,
    ReimportFleet: `arn:aws:states:${region}:${accountId}:stateMachine:reimport-fleet`,
    AlertTopic: `arn:aws:sns:${region}:${accountId}:byok-alerts`,
  };
}

interface RuleDefinition {
  name: string;
  description?: string;
  scheduleExpression?: string;
  eventPattern?: unknown;
  target: string;
  input?: unknown;
  inputTransformer?: { inputPathsMap?: Record<string, string>; inputTemplate: string };
}

function readRulesFile(file: string): RuleDefinition[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LocalEventsError(`cannot read the event rules in ${file}`, { cause: error });
  }
  if (!Array.isArray(parsed)) throw new LocalEventsError(`${file} must hold a JSON array of rules`);
  return parsed as RuleDefinition[];
}

// `events.json`: PutRule inputs with their targets, as LocalEventBridge.snapshot() writes them.
const storedTargetSchema = z
  .object({
    Id: z.string(),
    Arn: z.string(),
    RoleArn: z.string().optional(),
    Input: z.string().optional(),
    InputPath: z.string().optional(),
    InputTransformer: z
      .object({ InputPathsMap: z.record(z.string(), z.string()).optional(), InputTemplate: z.string() })
      .strict()
      .optional(),
  })
  .strict();

const storedRulesSchema = z
  .object({
    rules: z.array(
      z
        .object({
          Name: z.string(),
          Description: z.string().optional(),
          RoleArn: z.string().optional(),
          EventPattern: z.string().optional(),
          ScheduleExpression: z.string().optional(),
          State: z.enum(['ENABLED', 'DISABLED']),
          Targets: z.array(storedTargetSchema),
        })
        .strict(),
    ),
  })
  .strict();

/** The stored rules, checked as a whole: the schema, then unique rule names and target ids. */
function readStoredRules(value: unknown, path: string): StoredRule[] {
  if (value === undefined) return [];
  const { rules } = parseStateFile(storedRulesSchema, value, path);
  const names = new Set<string>();
  rules.forEach((rule, index) => {
    if (names.has(rule.Name)) {
      throw new LocalStateCorruptError(path, `rules.${index}.Name: rule ${rule.Name} appears twice`);
    }
    names.add(rule.Name);
    const ids = new Set<string>();
    rule.Targets.forEach((target, targetIndex) => {
      if (ids.has(target.Id)) {
        throw new LocalStateCorruptError(
          path,
          `rules.${index}.Targets.${targetIndex}.Id: target ${target.Id} of rule ${rule.Name} appears twice`,
        );
      }
      ids.add(target.Id);
    });
  });
  return rules as StoredRule[];
}

/** Replays stored rules through the API code, so a tampered file is refused like a bad request. */
async function restoreRules(bus: LocalEventBridge, rules: StoredRule[], path: string): Promise<void> {
  const context = { region: '', accountId: '', requestId: 'restore-rules' };
  for (const [index, { Targets, ...rule }] of rules.entries()) {
    try {
      await bus.handle('PutRule', rule, context);
      if (Targets.length > 0) await bus.handle('PutTargets', { Rule: rule.Name, Targets }, context);
    } catch (error) {
      if (error instanceof AwsServiceError) {
        throw new LocalStateCorruptError(
          path,
          `rules.${index}: stored rule ${rule.Name} is not valid: ${error.type}: ${error.message}`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}

/** Installs each rule through the same PutRule/PutTargets code the API uses, so it is checked alike. */
async function installRules(
  bus: LocalEventBridge,
  rules: RuleDefinition[],
  targetArns: Record<string, string>,
  options: AttachEventsOptions,
  storedStates: Map<string, 'ENABLED' | 'DISABLED'>,
): Promise<void> {
  const context = { region: '', accountId: '', requestId: 'install-rules' };
  const disabled = new Set(options.disabledRules ?? []);
  for (const rule of rules) {
    const arn = targetArns[rule.target];
    if (!arn) throw new LocalEventsError(`rule ${rule.name}: the local stack has no target ${rule.target}`);
    const name = `${LOCAL_RULE_PREFIX}${rule.name}`;
    const isSweep = rule.target === 'ReimportExpiringKeys' && rule.scheduleExpression !== undefined;
    const scheduleExpression =
      isSweep && options.sweepSchedule ? options.sweepSchedule : rule.scheduleExpression;
    try {
      await bus.handle(
        'PutRule',
        {
          Name: name,
          Description: rule.description,
          State: disabled.has(rule.name) ? 'DISABLED' : (storedStates.get(name) ?? 'ENABLED'),
          ...(scheduleExpression !== undefined ? { ScheduleExpression: scheduleExpression } : {}),
          ...(rule.eventPattern !== undefined ? { EventPattern: JSON.stringify(rule.eventPattern) } : {}),
        },
        context,
      );
      await bus.handle(
        'PutTargets',
        {
          Rule: name,
          Targets: [
            {
              Id: rule.target,
              Arn: arn,
              ...(rule.input !== undefined ? { Input: JSON.stringify(rule.input) } : {}),
              ...(rule.inputTransformer
                ? {
                    InputTransformer: {
                      InputPathsMap: rule.inputTransformer.inputPathsMap ?? {},
                      InputTemplate: rule.inputTransformer.inputTemplate,
                    },
                  }
                : {}),
            },
          ],
        },
        context,
      );
    } catch (error) {
      if (error instanceof AwsServiceError) {
        throw new LocalEventsError(`rule ${rule.name}: ${error.type}: ${error.message}`, { cause: error });
      }
      throw error;
    }
  }
}

/**
 * Changes the installed rules of a running stack: the sweep's schedule, and which of byok's rules
 * (by their name in deploy/event-rules.json) are disabled. Goes through the API code like a client.
 */
/**
 * Installs the rules of another rules file of the same shape (deploy/fleet-event-rules.json, the
 * hub's rules in fleet mode) on an attached bus, as byok's own rules are installed.
 */
export async function installRulesFile(events: AttachedEvents, file: string): Promise<void> {
  await installRules(events.bus, readRulesFile(file), events.targetArns, {}, new Map());
}

export async function configureInstalledRules(
  bus: LocalEventBridge,
  options: { sweepSchedule?: string | undefined; disabledRules?: readonly string[] | undefined },
): Promise<void> {
  const context = { region: '', accountId: '', requestId: 'configure-rules' };
  if (options.sweepSchedule !== undefined) {
    const name = `${LOCAL_RULE_PREFIX}reimport-sweep`;
    const rule = (await bus.handle('DescribeRule', { Name: name }, context)) as Record<string, unknown>;
    await bus.handle(
      'PutRule',
      {
        Name: name,
        Description: rule.Description,
        State: rule.State,
        ScheduleExpression: options.sweepSchedule,
      },
      context,
    );
  }
  for (const ruleName of options.disabledRules ?? []) {
    await bus.handle('DisableRule', { Name: `${LOCAL_RULE_PREFIX}${ruleName}` }, context);
  }
}
