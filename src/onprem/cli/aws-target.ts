// Where an AWS-facing command's calls go, decided once for every command, in the AWS CLI's order:
// the Region from --region, else from an ARN the command was given (a key ARN names its Region;
// --region naming another is refused by name), else AWS_REGION or AWS_DEFAULT_REGION, else the
// region of the profile (--profile, else AWS_PROFILE, else default) in the shared config file, read
// with the SDK's own config loader. Never a silent default against AWS; against the local stack
// (--endpoint) with none of these, the stack's default Region. The profile itself goes to the SDK
// clients (aws/clients.ts), which take its credentials.
import { getProfileName, loadConfig, loadSharedConfigFiles } from '@smithy/core/config';
import { DEFAULT_LOCAL_REGION } from '../../core/aws/clients.ts';
import { parseRegionName } from '../../core/shared/parse.ts';
import type { AwsCommandOptions } from './aws-options.ts';
import { ProfileNotFoundError, RegionConflictError, RegionMissingError } from './errors.ts';

/** Where the Region came from, for messages and tests. */
export type RegionSource =
  | '--region'
  | 'arn'
  | 'AWS_REGION'
  | 'AWS_DEFAULT_REGION'
  | 'profile'
  | 'local stack default';

/** The endpoint, Region and profile every client of one command run uses. */
export interface AwsTarget {
  endpoint?: string | undefined;
  region: string;
  regionSource: RegionSource;
  /** Given only when --profile was: otherwise the SDK's own chain (AWS_PROFILE, default) applies. */
  profile?: string | undefined;
}

/** An ARN-valued option the command received, e.g. { option: '--key-id', value: 'arn:aws:kms:…' }. */
export interface ArnOption {
  option: string;
  value: string | undefined;
}

const ARN_REGION = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]+):/;

/** The Region an ARN names, or undefined for a bare id, an alias name or a global ARN. */
export function regionOfArn(value: string | undefined): string | undefined {
  return value === undefined ? undefined : ARN_REGION.exec(value)?.[1];
}

/** Where to read the shared config files and the environment (tests give their own). */
export interface AwsTargetContext {
  env?: NodeJS.ProcessEnv;
}

export async function resolveAwsTarget(
  options: AwsCommandOptions,
  arns: readonly ArnOption[] = [],
  context: AwsTargetContext = {},
): Promise<AwsTarget> {
  const env = context.env ?? process.env;
  const base = {
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  };
  if (options.profile) await assertProfileExists(options.profile, env);
  const fromArns = arnRegion(arns);
  if (options.region) {
    if (fromArns && fromArns.region !== options.region) {
      throw new RegionConflictError(
        `--region ${options.region} conflicts with ${fromArns.option}, whose ARN is in ${fromArns.region}`,
        fromArns.region,
      );
    }
    return { ...base, region: options.region, regionSource: '--region' };
  }
  if (fromArns) return { ...base, region: fromArns.region, regionSource: 'arn' };
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const parsed = parseRegionName(value);
    if (!parsed.ok) {
      throw new RegionMissingError(`${name}="${value}" is not an AWS Region (${parsed.problem})`);
    }
    return { ...base, region: parsed.value, regionSource: name };
  }
  const profileName = getProfileName({ profile: options.profile ?? env.AWS_PROFILE });
  const fromProfile = await profileRegion(profileName, env);
  if (fromProfile) return { ...base, region: fromProfile, regionSource: 'profile' };
  if (options.endpoint) return { ...base, region: DEFAULT_LOCAL_REGION, regionSource: 'local stack default' };
  throw new RegionMissingError(
    `no AWS Region: no --region, no Region in an ARN given, AWS_REGION and AWS_DEFAULT_REGION unset, and profile ${profileName} has no region`,
    profileName,
  );
}

/** The one Region the given ARNs name; two ARNs in different Regions are refused. */
function arnRegion(arns: readonly ArnOption[]): { option: string; region: string } | undefined {
  let found: { option: string; region: string } | undefined;
  for (const { option, value } of arns) {
    const region = regionOfArn(value);
    if (!region) continue;
    if (found && found.region !== region) {
      throw new RegionConflictError(
        `${found.option} is in ${found.region} but ${option} is in ${region}: one run works in one Region`,
        found.region,
      );
    }
    found ??= { option, region };
  }
  return found;
}

function sharedFilePaths(env: NodeJS.ProcessEnv) {
  return {
    ...(env.AWS_SHARED_CREDENTIALS_FILE ? { filepath: env.AWS_SHARED_CREDENTIALS_FILE } : {}),
    ...(env.AWS_CONFIG_FILE ? { configFilepath: env.AWS_CONFIG_FILE } : {}),
  };
}

/** The profile's `region`, read by the SDK's own loader (both files, `[profile x]` sections). */
async function profileRegion(profile: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const read = loadConfig<string | undefined>(
    {
      environmentVariableSelector: () => undefined,
      configFileSelector: (section) => section.region,
      default: () => undefined,
    },
    { profile, ...sharedFilePaths(env), ignoreCache: true },
  );
  const region = await read();
  if (region === undefined) return undefined;
  const parsed = parseRegionName(region);
  if (!parsed.ok) {
    throw new RegionMissingError(`profile ${profile} has region "${region}": ${parsed.problem}`, profile);
  }
  return parsed.value;
}

/** --profile names a profile that neither shared file has: refused before any call, by name. */
async function assertProfileExists(profile: string, env: NodeJS.ProcessEnv): Promise<void> {
  const files = await loadSharedConfigFiles({ ...sharedFilePaths(env), ignoreCache: true });
  if (files.configFile[profile] || files.credentialsFile[profile]) return;
  throw new ProfileNotFoundError(profile);
}
