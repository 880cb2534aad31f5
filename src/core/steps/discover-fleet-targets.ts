// reimport-fleet's DiscoverFleetTargets step: which (account, Region) pairs to sweep, written to the
// fleet bucket for the Distributed Map. The work is in src/fleet/discover-targets.ts.
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { FleetConfig } from '../fleet/config.ts';
import { FleetInputSchema } from '../fleet/contracts.ts';
import { discoverTargets } from '../fleet/discover-targets.ts';
import { FleetConfigurationError, InvalidFleetInputError } from '../fleet/errors.ts';
import { defineStep, type StepLoggerDeps } from '../step-kernel/define-step.ts';

export interface FleetStepDeps extends StepLoggerDeps {
  clock: Clock;
  /** The hub's S3 client (the fleet bucket); set when fleet mode is on. */
  s3?: S3Client | undefined;
  organizations?: OrganizationsClient | undefined;
  /** The fleet's settings (the stack's parameters); set when fleet mode is on. */
  fleet?: FleetConfig | undefined;
}

/** The S3 client and settings a fleet step cannot run without. */
export function requireFleet(deps: FleetStepDeps): { s3: S3Client; fleet: FleetConfig } {
  if (!deps.s3 || !deps.fleet) {
    throw new FleetConfigurationError('fleet mode is not configured here (no fleet bucket)', {
      hint: 'deploy with --param="fleetMode=true", or locally run the fleet through byok simulate --accounts',
    });
  }
  return { s3: deps.s3, fleet: deps.fleet };
}

export const discoverFleetTargetsStep = defineStep({
  step: 'DiscoverFleetTargets',
  // A schedule may start the fleet with no input: the stack's parameters apply.
  input: z.preprocess((event) => {
    if (event === null || typeof event !== 'object') return {};
    // The execution input as a whole arrives; only the fleet's own fields are read.
    const {
      source,
      targets,
      regions,
      include,
      exclude,
      retryFailedOf,
      maxConcurrency,
      toleratedFailurePercentage,
      alarmDays,
      sweep,
    } = event as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries({
        source,
        targets,
        regions,
        include,
        exclude,
        retryFailedOf,
        maxConcurrency,
        toleratedFailurePercentage,
        alarmDays,
        sweep,
      }).filter(([, value]) => value !== undefined),
    );
  }, FleetInputSchema),
  invalidInput: (issues) => new InvalidFleetInputError(issues),
  async run(input, deps: FleetStepDeps, logger) {
    const { s3, fleet } = requireFleet(deps);
    const found = await discoverTargets(
      { s3, organizations: deps.organizations, clock: deps.clock, config: fleet },
      input,
    );
    logger.info('fleet targets', {
      fleetId: found.fleetId,
      pairs: found.pairs,
      accounts: found.accounts,
      excluded: found.excluded.length,
      retryOf: found.retryOf,
    });
    return found;
  },
});
