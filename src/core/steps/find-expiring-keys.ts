// The sweep's FindExpiringKeys step: which managed keys to reimport now, each with its pacing slot.
// The work is in src/core/sweep/find-expiring-keys.ts.
import { z } from 'zod';
import type { BindingsReader } from '../bindings/port.ts';
import { type Clock, systemClock } from '../clock.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { SweepInputSchema } from '../sweep/contracts.ts';
import { InvalidSweepInputError } from '../sweep/errors.ts';
import { findExpiringKeys } from '../sweep/find-expiring-keys.ts';
import { requestsPerImportFromEnv } from '../sweep/pacing.ts';
import type { KmsStepDeps } from './deps.ts';

export interface FindExpiringKeysStepDeps extends KmsStepDeps {
  /** The administrators' bindings: a due material whose HSM key is not bound to its key is refused. */
  bindings: BindingsReader;
  /** Real time for pacing slots; defaults to the system clock (request quotas run in real time). */
  pacingClock?: Clock | undefined;
  /** Where the HSM steps run: with 'activity' each import makes two GetParametersForImport requests. */
  hsmPlacement?: 'lambda' | 'activity' | undefined;
  /** The spoke role of an account (fleet mode), named when a pair cannot be reached. */
  spokeRoleArnOf?: ((accountId: string) => string) | undefined;
}

export const findExpiringKeysStep = defineStep({
  step: 'FindExpiringKeys',
  // A scheduled rule may send no input: the defaults apply.
  input: z.preprocess((event) => event ?? {}, SweepInputSchema),
  invalidInput: (issues) => new InvalidSweepInputError(issues),
  async run(input, deps: FindExpiringKeysStepDeps, logger) {
    const found = await findExpiringKeys(
      {
        kms: deps.kms,
        kmsForRegion: deps.kmsForRegion,
        kmsForAccount: deps.kmsForAccount,
        roleArnOf: deps.spokeRoleArnOf,
        clock: deps.clock,
        bindings: deps.bindings,
        pacingClock: deps.pacingClock ?? systemClock,
        // Lambda: BYOK_GET_PARAMETERS_PER_IMPORT (deploy/hsm-placement.cjs); locally, the placement.
        requestsPerImport: deps.hsmPlacement === 'activity' ? 2 : requestsPerImportFromEnv(),
      },
      input,
    );
    logger.info('keys due for reimport', {
      sweepId: found.sweepId,
      managedKeys: found.managedKeys,
      due: found.keys.map((key) => ({
        keyId: key.keyId,
        region: key.region,
        keyMaterialId: key.importInput.keyMaterialId,
        reason: key.reason,
        notBefore: key.notBefore,
      })),
      skipped: found.skipped,
      refused: found.refused,
      deferred: found.deferred,
    });
    return found;
  },
});
