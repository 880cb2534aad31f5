// Lambda for reimport-fleet's DiscoverFleetTargets state; the step is
// src/core/steps/discover-fleet-targets.ts. Its settings are the stack's fleet parameters.
import type { Context } from 'aws-lambda';
import { createOrganizationsClient, createS3Client } from '../src/core/aws/clients.ts';
import { systemClock } from '../src/core/clock.ts';
import { fleetConfigFromEnv } from '../src/core/fleet/config.ts';
import { createLogger } from '../src/core/shared/logger.ts';
import { discoverFleetTargetsStep, type FleetStepDeps } from '../src/core/steps/discover-fleet-targets.ts';

export const createHandler = (deps: FleetStepDeps) => discoverFleetTargetsStep.createHandler(deps);

let lambdaHandler: ReturnType<typeof createHandler> | undefined;

export const handler = (event: unknown, context: Context) => {
  lambdaHandler ??= createHandler({
    clock: systemClock,
    s3: createS3Client(),
    organizations: createOrganizationsClient(),
    fleet: fleetConfigFromEnv(),
    logger: createLogger(),
  });
  return lambdaHandler(event, context);
};
