// The AWS Region a package is built for, the way the AWS CLI finds it: `--region`, else
// AWS_REGION, else AWS_DEFAULT_REGION, else the `region` of the profile (`--aws-profile`, else
// AWS_PROFILE, else `default`) in the AWS config file (AWS_CONFIG_FILE, else ~/.aws/config).
// None of them: packaging stops with NoRegionError. There is no silent default: a stack packaged
// for us-east-1 by accident names its roles' policies after us-east-1 and is deployed there by
// `osls deploy`.
// Used from serverless.yml as `region: ${file(./deploy/region.cjs):region}`; the CLI's own
// commands resolve their Region in src/ (the same order, plus the Region of a key ARN).
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

class NoRegionError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'NoRegionError';
  }
}

class InvalidRegionError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'InvalidRegionError';
  }
}

/** The sections of an AWS config file: `{ 'profile x': { region: ... }, default: {...} }`. */
function parseConfigFile(text) {
  const sections = {};
  let current;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      current = header[1].replace(/\s+/g, ' ');
      sections[current] ??= {};
      continue;
    }
    const pair = /^([^=\s]+)\s*=\s*(.*)$/.exec(line);
    if (pair && current !== undefined && !/^\s/.test(raw)) sections[current][pair[1]] = pair[2].trim();
  }
  return sections;
}

function profileRegion(profile, env) {
  const file = env.AWS_CONFIG_FILE || path.join(env.HOME || os.homedir(), '.aws', 'config');
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const sections = parseConfigFile(text);
  const section =
    profile === 'default'
      ? (sections.default ?? sections['profile default'])
      : sections[`profile ${profile}`];
  const region = section?.region;
  return region ? { region, source: `region of profile ${profile} in ${file}` } : undefined;
}

/**
 * `{ region, source }` from the flag, the environment or the profile, in that order; throws
 * NoRegionError when none gives one and InvalidRegionError for a malformed value.
 */
function resolveRegion({ flag, profile: profileFlag } = {}, env = process.env) {
  const profile = profileFlag || env.AWS_PROFILE || 'default';
  const found =
    (flag && { region: flag, source: '--region' }) ||
    (env.AWS_REGION && { region: env.AWS_REGION, source: 'AWS_REGION' }) ||
    (env.AWS_DEFAULT_REGION && { region: env.AWS_DEFAULT_REGION, source: 'AWS_DEFAULT_REGION' }) ||
    profileRegion(profile, env);
  if (!found) {
    throw new NoRegionError(
      `no AWS Region to package for: pass --region (npm run package -- --region eu-west-1), set AWS_REGION, or set a region in AWS profile "${profile}" (aws configure set region eu-west-1 --profile ${profile}). byok never assumes one.`,
    );
  }
  if (!REGION_PATTERN.test(found.region)) {
    throw new InvalidRegionError(
      `"${found.region}" (from ${found.source}) is not an AWS Region name such as eu-west-1`,
    );
  }
  return found;
}

/** serverless.yml's `${file(./deploy/region.cjs):region}`. */
async function region({ options }) {
  return resolveRegion({ flag: options?.region, profile: options?.['aws-profile'] }).region;
}

module.exports = { region, resolveRegion, parseConfigFile, NoRegionError, InvalidRegionError };
