// Lambda for reimport-fleet's SummarizeFleet state; the step is src/core/steps/summarize-fleet.ts.
import type { Context } from 'aws-lambda';
import { createS3Client } from '../src/core/aws/clients.ts';
import { systemClock } from '../src/core/clock.ts';
import { fleetConfigFromEnv } from '../src/core/fleet/config.ts';
import { createLogger } from '../src/core/shared/logger.ts';
import type { FleetStepDeps } from '../src/core/steps/discover-fleet-targets.ts';
import { summarizeFleetStep } from '../src/core/steps/summarize-fleet.ts';

export const createHandler = (deps: FleetStepDeps) => summarizeFleetStep.createHandler(deps);

let lambdaHandler: ReturnType<typeof createHandler> | undefined;

export const handler = (event: unknown, context: Context) => {
  lambdaHandler ??= createHandler({
    clock: systemClock,
    s3: createS3Client(),
    fleet: fleetConfigFromEnv(),
    logger: createLogger(),
  });
  return lambdaHandler(event, context);
};
