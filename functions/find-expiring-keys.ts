// Lambda for the sweep's FindExpiringKeys state: which managed keys to reimport now, each with its
// pacing slot. The work is in src/sweep/find-expiring-keys.ts.
import type { KMSClient } from '@aws-sdk/client-kms';
import { createKmsClient } from '../src/aws/clients.ts';
import { type Clock, systemClock } from '../src/clock.ts';
import type { StepLogger } from '../src/import/logger.ts';
import { createLogger } from '../src/shared/logger.ts';
import { type FindExpiringKeysOutput, parseWith, SweepInputSchema } from '../src/sweep/contracts.ts';
import { findExpiringKeys } from '../src/sweep/find-expiring-keys.ts';

export interface FindExpiringKeysHandlerDeps {
  kms: KMSClient;
  clock: Clock;
  /** Real time for pacing slots; defaults to the system clock (request quotas run in real time). */
  pacingClock?: Clock;
  logger?: StepLogger;
}

export function createHandler(deps: FindExpiringKeysHandlerDeps) {
  return async (event: unknown): Promise<FindExpiringKeysOutput> => {
    const input = parseWith(SweepInputSchema, event ?? {});
    const found = await findExpiringKeys(
      { kms: deps.kms, clock: deps.clock, pacingClock: deps.pacingClock ?? systemClock },
      input,
    );
    deps.logger?.info('keys due for reimport', {
      sweepId: found.sweepId,
      managedKeys: found.managedKeys,
      due: found.keys.map((key) => ({ keyId: key.keyId, reason: key.reason, notBefore: key.notBefore })),
      skipped: found.skipped,
      deferred: found.deferred,
    });
    return found;
  };
}

let lambdaHandler: ((event: unknown) => Promise<FindExpiringKeysOutput>) | undefined;

export async function handler(event: unknown): Promise<FindExpiringKeysOutput> {
  lambdaHandler ??= createHandler({ kms: createKmsClient(), clock: systemClock, logger: createLogger() });
  return lambdaHandler(event);
}
