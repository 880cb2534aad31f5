// Finds byok's HSM activities without --activity-arn: for each HSM step of
// statemachines/hsm-placement.json, the one activity named `byok-<suffix>` (the local stack) or
// `byok-<stage>-<suffix>` (the deployed stack, service `byok`). The wrap activity must exist; the
// rotation's (create/retire rotation material) are polled when the stack has them. Discovery is
// retried like polls while the endpoint cannot be reached (a worker may start before its stack),
// up to --discovery-timeout; then WorkerEndpointUnreachableError. The activity states' deployed
// HeartbeatSeconds is read from byok's state machines, so a --heartbeat-interval they would time
// out is refused at start.
import { DescribeStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { listActivities } from '../../core/aws/paginate-sfn.ts';
import { findStateMachineArns } from '../../core/aws/state-machines.ts';
import { ACTIVITY_HEARTBEAT_SECONDS, activitySuffixOf, HSM_STEPS } from '../runner/hsm-placement.ts';
import { type BackoffOptions, DEFAULT_BACKOFF, fullJitterDelayMs, sleep } from './backoff.ts';
import {
  WorkerEndpointUnreachableError,
  WorkerHeartbeatIntervalError,
  WrapActivityNotFoundError,
} from './errors.ts';
import type { HsmActivity } from './worker.ts';

const WRAP_STEP = 'wrap-key-material';

function isActivityNameOf(step: string, name: string): boolean {
  const suffix = activitySuffixOf(step) ?? step;
  return name === `byok-${suffix}` || (name.startsWith('byok-') && name.endsWith(`-${suffix}`));
}

/** Every HSM activity here, by step: WrapActivityNotFoundError without exactly one wrap activity. */
async function findHsmActivities(sfn: SFNClient): Promise<HsmActivity[]> {
  const found = new Map<string, string[]>(HSM_STEPS.map((step) => [step, []]));
  for (const activity of await listActivities(sfn)) {
    if (!activity.name || !activity.activityArn) continue;
    // The longest suffix wins: `...-retire-rotation-material` is not also `...-material`.
    const step = [...HSM_STEPS]
      .filter((candidate) => isActivityNameOf(candidate, activity.name as string))
      .sort((a, b) => (activitySuffixOf(b) ?? b).length - (activitySuffixOf(a) ?? a).length)[0];
    if (step) found.get(step)?.push(activity.activityArn);
  }
  const wrap = found.get(WRAP_STEP) ?? [];
  if (wrap.length !== 1) {
    throw new WrapActivityNotFoundError(
      wrap.length === 0
        ? "no activity named byok-wrap-key-material or byok-<stage>-wrap-key-material here: the stack's HSM steps are not placed as activities"
        : `several wrap activities here: ${wrap.join(', ')}`,
    );
  }
  const activities: HsmActivity[] = [];
  for (const [step, arns] of found) {
    if (arns.length > 1)
      throw new WrapActivityNotFoundError(`several ${step} activities here: ${arns.join(', ')}`);
    if (arns[0]) activities.push({ step, activityArn: arns[0] });
  }
  return activities;
}

/** Network failures (nothing answers, the connection drops, a timeout) and AWS's 5xx/throttling. */
function isTransientFailure(error: unknown): boolean {
  const failure = error as {
    code?: unknown;
    name?: unknown;
    cause?: { code?: unknown };
    $metadata?: { httpStatusCode?: number };
  };
  const code = String(failure?.code ?? failure?.cause?.code ?? '');
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|EAI_AGAIN|ENOTFOUND)$/.test(code))
    return true;
  const name = String(failure?.name ?? '');
  if (/Timeout|Throttl|TooManyRequests|ServiceUnavailable|InternalServerError/.test(name)) return true;
  const status = failure?.$metadata?.httpStatusCode;
  return status !== undefined && (status >= 500 || status === 429);
}

export interface DiscoveryOptions {
  /** Where the worker looks, for the messages (the endpoint URL, or "AWS (<region>)"). */
  endpointName: string;
  /** Give up after this long (WorkerEndpointUnreachableError). */
  timeoutMs: number;
  note(message: string, fields?: Record<string, unknown>): void;
  /** Aborted by a signal: discovery stops at once. */
  signal?: AbortSignal | undefined;
  backoff?: BackoffOptions | undefined;
}

/**
 * findHsmActivities, retried with full-jitter backoff while the endpoint cannot be reached; none
 * when `signal` aborts first.
 */
export async function discoverHsmActivities(
  sfn: SFNClient,
  options: DiscoveryOptions,
): Promise<HsmActivity[]> {
  const started = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await findHsmActivities(sfn);
    } catch (error) {
      if (options.signal?.aborted) return [];
      if (!isTransientFailure(error)) throw error;
      const reason = `${error instanceof Error ? error.name : 'Error'}: ${error instanceof Error ? error.message : String(error)}`;
      const elapsed = Date.now() - started;
      if (elapsed >= options.timeoutMs) {
        throw new WorkerEndpointUnreachableError(
          options.endpointName,
          Math.round(options.timeoutMs / 1000),
          reason,
          { cause: error },
        );
      }
      const waitMs = Math.min(
        fullJitterDelayMs(attempt, options.backoff ?? DEFAULT_BACKOFF),
        options.timeoutMs - elapsed,
      );
      options.note('cannot reach Step Functions to find the activities; retrying', {
        endpoint: options.endpointName,
        reason,
        attempt,
        waitMs,
      });
      await sleep(waitMs, options.signal);
      if (options.signal?.aborted) return [];
    }
  }
}

/** byok's workflows whose activity states the worker serves. */
const WORKFLOWS = ['import-key-material', 'rotate-key-material', 'reimport-expiring-keys'] as const;

interface AslLike {
  States?: Record<
    string,
    { Type?: string; Resource?: string; HeartbeatSeconds?: number } & Record<string, unknown>
  >;
}

function heartbeatsOf(definition: AslLike, activityArns: ReadonlySet<string>, found: number[]): void {
  for (const state of Object.values(definition.States ?? {})) {
    if (state.Type === 'Task' && typeof state.Resource === 'string' && activityArns.has(state.Resource)) {
      if (typeof state.HeartbeatSeconds === 'number') found.push(state.HeartbeatSeconds);
    }
    for (const nested of [state.Iterator, state.ItemProcessor, ...((state.Branches as unknown[]) ?? [])]) {
      if (nested && typeof nested === 'object') heartbeatsOf(nested as AslLike, activityArns, found);
    }
  }
}

/**
 * The smallest HeartbeatSeconds of the deployed states that send tasks to these activities, and
 * where it was read; the shipped value (statemachines/hsm-placement.json) when the state machines
 * cannot be read (no states:DescribeStateMachine) or name none of them.
 */
async function deployedHeartbeatSeconds(
  sfn: SFNClient,
  activities: readonly HsmActivity[],
): Promise<{ seconds: number; where: string }> {
  const arns = new Set(activities.map((activity) => activity.activityArn));
  const found: number[] = [];
  const machines: string[] = [];
  try {
    for (const [, stateMachineArns] of await findStateMachineArns(sfn, WORKFLOWS)) {
      for (const stateMachineArn of stateMachineArns) {
        const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
        const before = found.length;
        heartbeatsOf(JSON.parse(described.definition ?? '{}') as AslLike, arns, found);
        if (found.length > before) machines.push(stateMachineArn.slice(stateMachineArn.lastIndexOf(':') + 1));
      }
    }
  } catch {
    found.length = 0;
  }
  if (found.length === 0) {
    return { seconds: ACTIVITY_HEARTBEAT_SECONDS, where: 'statemachines/hsm-placement.json, as shipped' };
  }
  return { seconds: Math.min(...found), where: `the activity states of ${machines.join(', ')}` };
}

/** WorkerHeartbeatIntervalError unless the interval is at most half of the deployed HeartbeatSeconds. */
export async function checkHeartbeatInterval(
  sfn: SFNClient,
  activities: readonly HsmActivity[],
  intervalSeconds: number,
): Promise<{ seconds: number; where: string }> {
  const deployed = await deployedHeartbeatSeconds(sfn, activities);
  if (intervalSeconds > deployed.seconds / 2) {
    throw new WorkerHeartbeatIntervalError(intervalSeconds, deployed.seconds, deployed.where);
  }
  return deployed;
}
