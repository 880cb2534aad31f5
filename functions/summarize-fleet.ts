// Lambda for reimport-fleet's SummarizeFleet state; the step is src/core/steps/summarize-fleet.ts.
import { createS3Client } from '../src/core/aws/clients.ts';
import { systemClock } from '../src/core/clock.ts';
import { fleetConfigFromEnv } from '../src/core/fleet/config.ts';
import { createLogger } from '../src/core/shared/logger.ts';
import { summarizeFleetStep } from '../src/core/steps/summarize-fleet.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';

export const { handler, createHandler } = toLambda(summarizeFleetStep, () => ({
  clock: systemClock,
  s3: createS3Client(),
  fleet: fleetConfigFromEnv(),
  logger: createLogger(),
}));
