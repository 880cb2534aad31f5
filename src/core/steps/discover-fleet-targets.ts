// reimport-fleet's DiscoverFleetTargets step: which (account, Region) pairs to sweep, written to the
// fleet bucket for the Distributed Map. The work is in src/fleet/discover-targets.ts.
import { z } from 'zod';
import { FleetInputSchema } from '../fleet/contracts.ts';
import { discoverTargets } from '../fleet/discover-targets.ts';
import { InvalidFleetInputError } from '../fleet/errors.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { type FleetStepDeps, requireFleet } from './fleet-deps.ts';

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
