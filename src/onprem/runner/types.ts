// The runner's shared types: what a run may use and returns, and what a service integration is.
// Kept apart from the modules that run executions so integrations that start nested runs can use
// them without an import cycle.
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { StateMachine } from 'aws-local-stepfunctions';
import type { Clock } from '../../core/clock.ts';
import type { StepFunctionDeps } from '../../core/steps/registry.ts';
import type { HsmPlacement } from './hsm-placement.ts';

/**
 * What the step functions and integrations of a run may use: everything a registered step needs
 * (StepFunctionDeps, so a step whose deps the runner lacks fails to compile), plus what the
 * integrations read.
 */
export type RunnerDeps = Omit<StepFunctionDeps, 'scheduledInvocations'> & {
  clock: Clock;
  region?: string | undefined;
  accountId?: string | undefined;
  /** Where the HSM steps run (statemachines/hsm-placement.json); default 'lambda'. */
  hsmPlacement?: HsmPlacement | undefined;
  [name: string]: unknown;
};

/**
 * Time a run may sleep on instead of real time (bench/fleet.ts's simulated time): with it in the
 * deps (`timers`), Wait states sleep on it (virtual-waits.ts).
 */
export interface RunTimers {
  /** Epoch milliseconds. */
  now(): number;
  sleepUntil(atMs: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Work in flight, for a driver of simulated time (bench/fleet.ts): every Task that does I/O begins
 * and ends an activity (`activity` in the deps); a Task that only waits (for child executions, or
 * a Wait state on `timers`) does not.
 */
export interface RunActivity {
  begin(): () => void;
  /**
   * Like begin, once the driver has room for one more Task doing I/O (a driver may bound how many
   * run at once on this machine, without moving time while they wait).
   */
  slot?(): Promise<() => void>;
}

export interface RunOverrides {
  /** Milliseconds per Wait state name. */
  waitTimeOverrides?: Record<string, number> | undefined;
  /** Milliseconds per state name (or per retrier index), so tests don't sleep through backoff. */
  retryIntervalOverrides?: Record<string, number | number[]> | undefined;
}

export type ExecutionEvent = Awaited<
  ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>
>['value'] & {
  type: string;
  timestamp: number;
};

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionResult {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: unknown;
  output?: unknown;
  error?: string | undefined;
  cause?: string | undefined;
  startDate: Date;
  stopDate: Date;
  events: ExecutionEvent[];
  /** Events the run put on the bus (events:putEvents), delivered or not. */
  publishedEvents: PublishedEvent[];
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** An event a Task published, as the execution result reports it (delivered or not). */
export interface PublishedEvent {
  stateName: string;
  time: string;
  source: string;
  detailType: string;
  detail: unknown;
  eventBusName?: string | undefined;
  /** False when no EventBridge endpoint took it (the entry is still recorded here). */
  delivered: boolean;
  eventId?: string | undefined;
}

/** What an integration may use: the run's deps, who is calling, and the run's own records. */
export interface IntegrationContext {
  stateName: string;
  execution: { arn: string; name: string; stateMachineName: string };
  deps: { clock: Clock; events?: EventBridgeClient | undefined; [name: string]: unknown };
  /** Overrides of the calling run, for integrations that start nested runs. */
  overrides: {
    waitTimeOverrides?: Record<string, number> | undefined;
    retryIntervalOverrides?: Record<string, number | number[]> | undefined;
  };
  /** The role the Task's `Credentials` named: the integration acts as that role. */
  credentials?: { roleArn: string } | undefined;
  publish(event: PublishedEvent): void;
  /** Runs a nested execution to its end with the calling run's deps, overrides and signal. */
  runNested(request: { stateMachine: string; name: string; input: unknown }): Promise<ExecutionResult>;
  signal?: AbortSignal | undefined;
  /**
   * A resumed run (after a restart): the token the named state waited for, once; the state then
   * waits for that adopted task instead of making its call again.
   */
  takeResumedToken?: ((stateName: string) => string | undefined) | undefined;
  /** Runs a step function of the registry with Lambda semantics (for integrations such as lambda:invoke). */
  invokeFunction?: ((functionName: string, payload: JsonValue) => Promise<JsonValue>) | undefined;
}

export type Integration = (parameters: JsonValue, context: IntegrationContext) => Promise<JsonValue>;

/** The local Step Functions API (src/local/stepfunctions), structurally. */
export interface StepFunctionsApi {
  handle(operation: string, input: Record<string, unknown>): Promise<unknown>;
  /** Resolves when the execution has ended or waits for a task token or an activity. */
  settled(executionArn: string): Promise<unknown>;
}
