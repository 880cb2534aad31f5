// What `byok worker` does (see register.ts and options.ts): checks the bindings, opens its journal,
// finds the HSM activities (wrap and the rotation's; retried while the endpoint cannot be reached),
// checks --heartbeat-interval against the deployed HeartbeatSeconds, opens the HSM of $BYOK_HOME,
// and runs the ActivityWorker (src/onprem/worker) until a signal.
import { hostname } from 'node:os';
import {
  createEventBridgeClient,
  createKmsClient,
  createRegionalKmsClients,
  createSfnClient,
} from '../../../../core/aws/clients.ts';
import { type Clock, systemClock } from '../../../../core/clock.ts';
import { defaultByokHome, loadHsmConfig } from '../../../../core/hsm/config.ts';
import { finalizeIdleModules, openHsm } from '../../../../core/hsm/pkcs11-adapter.ts';
import { createLogger } from '../../../../core/shared/logger.ts';
import { checkHeartbeatInterval, discoverHsmActivities } from '../../../worker/activity.ts';
import { type KeyBinding, KeyBindings, parseBinding, readBindingsFile } from '../../../worker/bindings.ts';
import { WorkerBindingsMissingError } from '../../../worker/errors.ts';
import { defaultJournalPath, WorkerJournal } from '../../../worker/journal.ts';
import { ActivityWorker, type HsmActivity, type WorkerActivityView } from '../../../worker/worker.ts';
import { resolveAwsTarget } from '../../aws-target.ts';
import { terminalJson } from '../../terminal.ts';
import type { WorkerCliOptions } from './options.ts';

/** GetActivityTask holds a poll up to 60 s: wait a little longer for its answer. */
const POLL_HOLD_SECONDS = 60;
const POLL_REQUEST_TIMEOUT_MS = (POLL_HOLD_SECONDS + 5) * 1000;
const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

function note(message: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${terminalJson({ time: new Date().toISOString(), ...fields, message })}\n`);
}

async function workerBindings(options: WorkerCliOptions): Promise<KeyBindings> {
  const bindings: KeyBinding[] = options.bind.map(parseBinding);
  if (options.bindings) bindings.push(...(await readBindingsFile(options.bindings)));
  const allowAny = options.allowAnyKeyForDevelopment === true;
  if (bindings.length === 0 && !allowAny) throw new WorkerBindingsMissingError();
  return new KeyBindings(bindings, allowAny && bindings.length === 0);
}

/** What the first signal leaves to finish, and for how long at most. */
function finishingNote(signal: string, activity: WorkerActivityView): string {
  const parts: string[] = [];
  if (activity.pollsInFlight > 0) {
    parts.push(
      `the ${activity.pollsInFlight === 1 ? 'poll' : 'polls'} in flight (at most ${POLL_HOLD_SECONDS} s)`,
    );
  }
  for (const task of activity.tasksInHand) {
    parts.push(
      `the ${task.step} task in hand (running ${Math.round(task.runningMs / 1000)} s; it ends within its state's TimeoutSeconds)`,
    );
  }
  const finishing = parts.length > 0 ? `finishing ${parts.join(' and ')}` : 'nothing in flight';
  return `${signal}: no new polls; ${finishing}; send SIGTERM or SIGINT again to stop at once`;
}

export async function runWorker(options: WorkerCliOptions): Promise<void> {
  const bindings = await workerBindings(options);
  if (bindings.allowAny) {
    note(
      'WARNING: --allow-any-key-for-development: this worker wraps any HSM key for any KMS key a task names',
      {
        level: 'WARN',
      },
    );
  }
  if (options.allowSha1) {
    note('WARNING: --allow-sha1: this worker follows tasks that ask for SHA-1 wrapping', { level: 'WARN' });
  }
  const byokHome = defaultByokHome();
  const journal = await WorkerJournal.open(
    options.journal ?? defaultJournalPath({ bindingsFile: options.bindings, byokHome }),
  );
  const clientOptions = await resolveAwsTarget(options, [
    { option: '--activity-arn', value: options.activityArn },
  ]);
  const sfn = createSfnClient({ ...clientOptions, requestTimeoutMs: POLL_REQUEST_TIMEOUT_MS });
  const kms = createKmsClient(clientOptions);
  const regional = createRegionalKmsClients(clientOptions);
  const events = createEventBridgeClient(clientOptions);
  // Real time: a local stack's virtual clock only runs ahead of it, so KMS's ParametersValidTo
  // (on the stack's clock) passing this check is no weaker; and the worker can start before the
  // endpoint is up (it reconnects).
  const clock: Clock = systemClock;
  // Signals: before the worker runs, the first one ends discovery; then the first one lets the
  // polls and tasks in flight finish (and says so, with how long), and the second ends it at once.
  const starting = new AbortController();
  let worker: ActivityWorker | undefined;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (!worker) {
      note(`${signal}: stopping before polling`);
      starting.abort();
      return;
    }
    if (signals === 1) {
      note(finishingNote(signal, worker.activity()));
      worker.stop();
      return;
    }
    const left = worker.activity().tasksInHand;
    worker.abort();
    if (left.length === 0) {
      note(`${signal} again: ending the polls in flight now`);
      return;
    }
    note(
      `${signal} again: stopping now; ${left.map((task) => task.step).join(', ')} left unanswered ` +
        "(Step Functions times it out after the state's HeartbeatSeconds; the workflow retries or fails it)",
    );
    process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    // --activity-arn names the wrap activity alone; without it, every HSM activity found is polled.
    const activities: HsmActivity[] = options.activityArn
      ? [{ step: 'wrap-key-material', activityArn: options.activityArn }]
      : await discoverHsmActivities(sfn, {
          endpointName:
            options.endpoint ?? `AWS (${options.region ?? process.env.AWS_REGION ?? 'default Region'})`,
          timeoutMs: options.discoveryTimeout * 1000,
          note,
          signal: starting.signal,
        });
    if (starting.signal.aborted) return;
    const heartbeat = await checkHeartbeatInterval(sfn, activities, options.heartbeatInterval);
    const hsm = await openHsm(await loadHsmConfig(byokHome));
    const workerName = options.name ?? `${hostname()}-${process.pid}`;
    worker = new ActivityWorker(
      {
        activities,
        workerName,
        concurrency: options.concurrency,
        heartbeatIntervalMs: options.heartbeatInterval * 1000,
      },
      {
        sfn,
        kms,
        kmsForRegion: (region) => regional.forRegion(region),
        events,
        hsm,
        bindings,
        journal,
        allowSha1: options.allowSha1 === true,
        clock,
        logger: createLogger({
          logLevel: (process.env.BYOK_LOG_LEVEL as 'SILENT' | undefined) || 'SILENT',
          stream: process.stderr,
        }),
        logTask: (line) => process.stdout.write(`${terminalJson(line)}\n`),
        note,
      },
    );
    if (starting.signal.aborted) worker.stop();
    note('byok worker polling', {
      activities: activities.map((activity) => activity.activityArn),
      worker: workerName,
      concurrency: options.concurrency,
      bound: bindings.keyArns().length,
      journal: journal.path,
      heartbeatSeconds: heartbeat.seconds,
    });
    try {
      await worker.run();
    } finally {
      await hsm.close();
      finalizeIdleModules();
    }
    note('byok worker stopped', { tasks: worker.tasksDone });
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    sfn.destroy();
    kms.destroy();
    regional.destroy();
    events.destroy();
  }
}
