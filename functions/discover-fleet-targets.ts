// Lambda for reimport-fleet's DiscoverFleetTargets state; the step is
// src/core/steps/discover-fleet-targets.ts. Its settings are the stack's fleet parameters.
import { createOrganizationsClient, createS3Client } from '../src/core/aws/clients.ts';
import { systemClock } from '../src/core/clock.ts';
import { fleetConfigFromEnv } from '../src/core/fleet/config.ts';
import { createLogger } from '../src/core/shared/logger.ts';
import { discoverFleetTargetsStep } from '../src/core/steps/discover-fleet-targets.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';

export const { handler, createHandler } = toLambda(discoverFleetTargetsStep, () => ({
  clock: systemClock,
  s3: createS3Client(),
  organizations: createOrganizationsClient(),
  fleet: fleetConfigFromEnv(),
  logger: createLogger(),
}));
