// reimport-fleet's SummarizeFleet step: one report for the estate (JSON, CSV, HTML in the fleet
// bucket) and the summary its event carries. The work is in src/fleet/summarize-fleet.ts.
import { SummarizeFleetInputSchema } from '../fleet/contracts.ts';
import { InvalidFleetInputError } from '../fleet/errors.ts';
import { summarizeFleet } from '../fleet/summarize-fleet.ts';
import { defineStep } from '../step-kernel/define-step.ts';
import { type FleetStepDeps, requireFleet } from './fleet-deps.ts';

export const summarizeFleetStep = defineStep({
  step: 'SummarizeFleet',
  input: SummarizeFleetInputSchema,
  invalidInput: (issues) => new InvalidFleetInputError(issues),
  async run(input, deps: FleetStepDeps, logger) {
    const { s3 } = requireFleet(deps);
    const summary = await summarizeFleet({ s3, clock: deps.clock }, input);
    const log = summary.alarm ? logger.warn : logger.info;
    log.call(logger, 'fleet sweep finished', {
      fleetId: summary.fleetId,
      totals: summary.totals,
      failures: summary.failures,
      atRisk: summary.atRisk,
      alarm: summary.alarm,
    });
    return summary;
  },
});
