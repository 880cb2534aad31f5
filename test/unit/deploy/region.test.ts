// The Region packaging uses (deploy/region.cjs): --region, else AWS_REGION, else
// AWS_DEFAULT_REGION, else the profile's region in the AWS config file; none is an error, never
// a default.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const { resolveRegion, NoRegionError, InvalidRegionError } = createRequire(import.meta.url)(
  '../../../deploy/region.cjs',
) as {
  resolveRegion(
    options: { flag?: string; profile?: string },
    env: Record<string, string | undefined>,
  ): { region: string; source: string };
  NoRegionError: new (...args: unknown[]) => Error;
  InvalidRegionError: new (...args: unknown[]) => Error;
};

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'byok-region-'));
  made.push(dir);
  const file = join(dir, 'config');
  writeFileSync(file, text);
  return file;
}

const CONFIG = configFile(
  [
    '[default]',
    'region = eu-west-3',
    '',
    '[profile bank]',
    'region = eu-north-1',
    'output = json',
    '[profile empty]',
    'output = json',
  ].join('\n'),
);

describe('resolveRegion (packaging)', () => {
  it.each([
    [
      'the flag over everything',
      { flag: 'ap-south-1' },
      { AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'us-west-2', AWS_PROFILE: 'bank' },
      'ap-south-1',
      '--region',
    ],
    [
      'AWS_REGION over AWS_DEFAULT_REGION and the profile',
      {},
      { AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'us-west-2', AWS_PROFILE: 'bank' },
      'eu-central-1',
      'AWS_REGION',
    ],
    [
      'AWS_DEFAULT_REGION over the profile',
      {},
      { AWS_DEFAULT_REGION: 'us-west-2', AWS_PROFILE: 'bank' },
      'us-west-2',
      'AWS_DEFAULT_REGION',
    ],
    ["AWS_PROFILE's region", {}, { AWS_PROFILE: 'bank' }, 'eu-north-1', 'region of profile bank'],
    [
      "--aws-profile's region over AWS_PROFILE",
      { profile: 'bank' },
      { AWS_PROFILE: 'default' },
      'eu-north-1',
      'region of profile bank',
    ],
    ["the default profile's region", {}, {}, 'eu-west-3', 'region of profile default'],
  ])('takes %s', (_case, options, env, region, source) => {
    // Act
    const found = resolveRegion(options, { AWS_CONFIG_FILE: CONFIG, ...env });

    // Assess
    expect(found.region).toBe(region);
    expect(found.source).toContain(source);
  });

  it.each([
    ['no config file', { AWS_CONFIG_FILE: '/nonexistent/config' }],
    ['a profile without a region', { AWS_CONFIG_FILE: CONFIG, AWS_PROFILE: 'empty' }],
    ['a profile that does not exist', { AWS_CONFIG_FILE: CONFIG, AWS_PROFILE: 'nobody' }],
  ])('refuses with NoRegionError when there is none: %s', (_case, env) => {
    // Act
    const act = () => resolveRegion({}, env);

    // Assess
    expect(act).toThrow(NoRegionError);
    expect(act).toThrow(/pass --region .*AWS_REGION.*profile/);
  });

  it('refuses a value that is not a Region name, saying where it came from', () => {
    // Act
    const act = () => resolveRegion({}, { AWS_REGION: 'eu-west-1; rm -rf /', AWS_CONFIG_FILE: CONFIG });

    // Assess
    expect(act).toThrow(InvalidRegionError);
    expect(act).toThrow(/from AWS_REGION/);
  });
});
