// The fleet's settings: the stack's parameters as the hub's functions see them (environment
// variables set by serverless.yml when fleet mode is on), or as the local world gives them. Read
// once; a missing required one is a named error, never a default that hides it.
import { FleetConfigurationError } from './errors.ts';

export interface FleetConfig {
  /** The hub's bucket: targets, Map Run results and reports. */
  bucket: string;
  source: 'targets' | 'organizations';
  /** Where the targets document is in the bucket. */
  targetsKey: string;
  /** Regions of every account (with Organizations, and for accounts that name none). */
  regions: string[];
  include: string[];
  exclude: string[];
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  alarmDays: number;
  /** The role every spoke account holds for the hub (the spoke template's `byok-spoke`). */
  spokeRoleName: string;
  /** The confused-deputy guard the spoke role's trust policy requires. */
  externalId: string | undefined;
}

const DEFAULT_SPOKE_ROLE_NAME = 'byok-spoke';
export const DEFAULT_FLEET_SETTINGS = {
  source: 'targets',
  targetsKey: 'fleet/targets.json',
  maxConcurrency: 40,
  toleratedFailurePercentage: 100,
  alarmDays: 7,
  spokeRoleName: DEFAULT_SPOKE_ROLE_NAME,
} as const;

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new FleetConfigurationError(`${name} must be a number from ${min} to ${max}, not '${text}'`);
  }
  return value;
}

export function fleetConfigFromEnv(env: NodeJS.ProcessEnv = process.env): FleetConfig {
  const bucket = env.BYOK_FLEET_BUCKET;
  if (!bucket) {
    throw new FleetConfigurationError('BYOK_FLEET_BUCKET is not set', {
      hint: 'deploy with --param="fleetMode=true" so the hub gets its fleet bucket',
    });
  }
  const source = env.BYOK_FLEET_SOURCE ?? DEFAULT_FLEET_SETTINGS.source;
  if (source !== 'targets' && source !== 'organizations') {
    throw new FleetConfigurationError(`BYOK_FLEET_SOURCE must be targets or organizations, not '${source}'`);
  }
  return {
    bucket,
    source,
    targetsKey: env.BYOK_FLEET_TARGETS_KEY || DEFAULT_FLEET_SETTINGS.targetsKey,
    regions: list(env.BYOK_FLEET_REGIONS),
    include: list(env.BYOK_FLEET_INCLUDE),
    exclude: list(env.BYOK_FLEET_EXCLUDE),
    maxConcurrency: number(
      env,
      'BYOK_FLEET_MAX_CONCURRENCY',
      DEFAULT_FLEET_SETTINGS.maxConcurrency,
      0,
      10_000,
    ),
    toleratedFailurePercentage: number(
      env,
      'BYOK_FLEET_TOLERATED_FAILURE_PERCENTAGE',
      DEFAULT_FLEET_SETTINGS.toleratedFailurePercentage,
      0,
      100,
    ),
    alarmDays: number(env, 'BYOK_FLEET_ALARM_DAYS', DEFAULT_FLEET_SETTINGS.alarmDays, 1, 365),
    spokeRoleName: env.BYOK_SPOKE_ROLE_NAME || DEFAULT_FLEET_SETTINGS.spokeRoleName,
    externalId: env.BYOK_FLEET_EXTERNAL_ID || undefined,
  };
}
