// What `byok worker` does (see register.ts and options.ts): checks the bindings, finds the wrap
// activities (wrap and the rotation's), opens the HSM of $BYOK_HOME, and runs the ActivityWorker (src/onprem/worker) until a signal.
import { hostname } from 'node:os';
import { createEventBridgeClient, createKmsClient, createSfnClient } from '../../../../core/aws/clients.ts';
import { type Clock, systemClock } from '../../../../core/clock.ts';
import { defaultByokHome, loadHsmConfig } from '../../../../core/hsm/config.ts';
import { finalizeIdleModules, openHsm } from '../../../../core/hsm/pkcs11-adapter.ts';
import { createLogger } from '../../../../core/shared/logger.ts';
import { findHsmActivities } from '../../../worker/activity.ts';
import { type KeyBinding, KeyBindings, parseBinding, readBindingsFile } from '../../../worker/bindings.ts';
import { WorkerBindingsMissingError } from '../../../worker/errors.ts';
import { ActivityWorker, type HsmActivity } from '../../../worker/worker.ts';
import type { WorkerCliOptions } from './options.ts';

/** GetActivityTask holds a poll up to 60 s: wait a little longer for its answer. */
const POLL_REQUEST_TIMEOUT_MS = 65_000;

function note(message: string, fields: Record<string, unknown> = {}): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...fields, message })}\n`);
}

export async function workerBindings(options: WorkerCliOptions): Promise<KeyBindings> {
  const bindings: KeyBinding[] = options.bind.map(parseBinding);
  if (options.bindings) bindings.push(...(await readBindingsFile(options.bindings)));
  const allowAny = options.allowAnyKeyForDevelopment === true;
  if (bindings.length === 0 && !allowAny) throw new WorkerBindingsMissingError();
  return new KeyBindings(bindings, allowAny && bindings.length === 0);
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
  const clientOptions = { endpoint: options.endpoint, region: options.region };
  const sfn = createSfnClient({ ...clientOptions, requestTimeoutMs: POLL_REQUEST_TIMEOUT_MS });
  const kms = createKmsClient(clientOptions);
  const events = createEventBridgeClient(clientOptions);
  // Real time: a local stack's virtual clock only runs ahead of it, so KMS's ParametersValidTo
  // (on the stack's clock) passing this check is no weaker; and the worker can start before the
  // endpoint is up (it reconnects).
  const clock: Clock = systemClock;
  try {
    // --activity-arn names the wrap activity alone; without it, every HSM activity found is polled.
    const activities: HsmActivity[] = options.activityArn
      ? [{ step: 'wrap-key-material', activityArn: options.activityArn }]
      : await findHsmActivities(sfn);
    const hsm = await openHsm(await loadHsmConfig(defaultByokHome()));
    const workerName = options.name ?? `${hostname()}-${process.pid}`;
    const worker = new ActivityWorker(
      {
        activities,
        workerName,
        concurrency: options.concurrency,
        heartbeatIntervalMs: options.heartbeatInterval * 1000,
      },
      {
        sfn,
        kms,
        events,
        hsm,
        bindings,
        clock,
        logger: createLogger({
          logLevel: (process.env.BYOK_LOG_LEVEL as 'SILENT' | undefined) || 'SILENT',
          stream: process.stderr,
        }),
        logTask: (line) => process.stdout.write(`${JSON.stringify(line)}\n`),
        note,
      },
    );
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals === 1) {
        note(`${signal}: no new polls; finishing the task in hand`);
        worker.stop();
      } else {
        note(`${signal} again: ending polls in flight`);
        worker.abort();
      }
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    note('byok worker polling', {
      activities: activities.map((activity) => activity.activityArn),
      worker: workerName,
      concurrency: options.concurrency,
      bound: bindings.keyArns().length,
    });
    try {
      await worker.run();
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await hsm.close();
      finalizeIdleModules();
    }
    note('byok worker stopped', { tasks: worker.tasksDone });
  } finally {
    sfn.destroy();
    kms.destroy();
    events.destroy();
  }
}
