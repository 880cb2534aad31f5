// What the fleet's steps (DiscoverFleetTargets, SummarizeFleet) are given, in a module of its own:
// SummarizeFleet's Lambda bundle must not reach target discovery (Organizations ListAccounts),
// which its role is not allowed.
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Clock } from '../clock.ts';
import type { FleetConfig } from '../fleet/config.ts';
import { FleetConfigurationError } from '../fleet/errors.ts';
import type { StepLoggerDeps } from '../step-kernel/define-step.ts';

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
