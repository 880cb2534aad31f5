// The one region resolver every AWS-facing command uses (issue 19): --region, else the Region of
// an ARN given (a conflicting --region refused by name), else AWS_REGION / AWS_DEFAULT_REGION,
// else the profile's region from a real shared config file read by the SDK's own loader; never a
// silent default against AWS.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AwsCommandOptions } from '../../../../src/onprem/cli/aws-options.ts';
import { type ArnOption, regionOfArn, resolveAwsTarget } from '../../../../src/onprem/cli/aws-target.ts';
import {
  ProfileNotFoundError,
  RegionConflictError,
  RegionMissingError,
} from '../../../../src/onprem/cli/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'byok-aws-target-'));
const CONFIG = join(dir, 'config');
const CREDENTIALS = join(dir, 'credentials');
writeFileSync(
  CONFIG,
  [
    '[default]',
    'region = ap-south-1',
    '[profile paris]',
    'region = eu-west-3',
    '[profile noregion]',
    'output = json',
    '',
  ].join('\n'),
);
writeFileSync(
  CREDENTIALS,
  ['[paris]', 'aws_access_key_id = AKIDPARIS', 'aws_secret_access_key = secret', ''].join('\n'),
);
const EMPTY_CONFIG = join(dir, 'empty-config');
writeFileSync(EMPTY_CONFIG, '');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const KEY_EU = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_US = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const MACHINE_US = 'arn:aws:states:us-west-2:111122223333:stateMachine:import-key-material';

/** Only these variables: the shared files of this test, never the machine's own. */
function env(vars: Record<string, string> = {}, config = CONFIG): NodeJS.ProcessEnv {
  return { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: CREDENTIALS, ...vars };
}

describe('resolveAwsTarget: where the Region comes from', () => {
  it.each<[string, AwsCommandOptions, ArnOption[], NodeJS.ProcessEnv, string, string]>([
    [
      '--region over everything',
      { region: 'ca-central-1' },
      [],
      env({ AWS_REGION: 'us-east-2' }),
      'ca-central-1',
      '--region',
    ],
    [
      '--region agreeing with the ARN',
      { region: 'eu-west-1' },
      [{ option: '--key-id', value: KEY_EU }],
      env(),
      'eu-west-1',
      '--region',
    ],
    [
      'the key ARN over the environment',
      {},
      [{ option: '--key-id', value: KEY_EU }],
      env({ AWS_REGION: 'us-east-2' }),
      'eu-west-1',
      'arn',
    ],
    [
      'a bare key id gives no Region',
      {},
      [{ option: '--key-id', value: '1234abcd-12ab-34cd-56ef-1234567890ab' }],
      env({ AWS_REGION: 'us-east-2' }),
      'us-east-2',
      'AWS_REGION',
    ],
    [
      'two ARNs in one Region',
      {},
      [
        { option: '--key-id', value: KEY_US },
        { option: '--state-machine-arn', value: MACHINE_US },
      ],
      env(),
      'us-west-2',
      'arn',
    ],
    [
      'AWS_REGION over AWS_DEFAULT_REGION',
      {},
      [],
      env({ AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'eu-north-1' }),
      'us-east-2',
      'AWS_REGION',
    ],
    [
      'AWS_DEFAULT_REGION over the profile',
      {},
      [],
      env({ AWS_DEFAULT_REGION: 'eu-north-1' }),
      'eu-north-1',
      'AWS_DEFAULT_REGION',
    ],
    [
      'the environment over --profile',
      { profile: 'paris' },
      [],
      env({ AWS_REGION: 'us-east-2' }),
      'us-east-2',
      'AWS_REGION',
    ],
    ["--profile's region", { profile: 'paris' }, [], env(), 'eu-west-3', 'profile'],
    ["AWS_PROFILE's region", {}, [], env({ AWS_PROFILE: 'paris' }), 'eu-west-3', 'profile'],
    [
      '--profile over AWS_PROFILE',
      { profile: 'paris' },
      [],
      env({ AWS_PROFILE: 'default' }),
      'eu-west-3',
      'profile',
    ],
    ["the default profile's region", {}, [], env(), 'ap-south-1', 'profile'],
    [
      'the local stack with no Region anywhere',
      { endpoint: 'http://127.0.0.1:4599' },
      [],
      env({}, EMPTY_CONFIG),
      'us-east-1',
      'local stack default',
    ],
  ])('%s', async (_case, options, arns, vars, region, source) => {
    // Act
    const target = await resolveAwsTarget(options, arns, { env: vars });

    // Assess
    expect(target).toMatchObject({ region, regionSource: source });
  });

  it('refuses --region that names another Region than the key ARN, naming both', async () => {
    // Act
    const resolving = resolveAwsTarget({ region: 'us-east-1' }, [{ option: '--key-id', value: KEY_EU }], {
      env: env(),
    });

    // Assess
    await expect(resolving).rejects.toThrow(RegionConflictError);
    await expect(resolving).rejects.toThrow(
      '--region us-east-1 conflicts with --key-id, whose ARN is in eu-west-1',
    );
  });

  it('refuses two ARNs in two Regions, naming both options', async () => {
    // Act
    const resolving = resolveAwsTarget(
      {},
      [
        { option: '--key-id', value: KEY_EU },
        { option: '--state-machine-arn', value: MACHINE_US },
      ],
      { env: env() },
    );

    // Assess
    await expect(resolving).rejects.toThrow(
      '--key-id is in eu-west-1 but --state-machine-arn is in us-west-2',
    );
  });

  it('refuses to guess against AWS: no Region anywhere is a named error, not us-east-1', async () => {
    // Act
    const resolving = resolveAwsTarget({ profile: 'noregion' }, [], { env: env() });

    // Assess
    await expect(resolving).rejects.toThrow(RegionMissingError);
    await expect(resolving).rejects.toThrow('profile noregion has no region');
  });

  it('refuses a Region variable that is no Region, naming the variable', async () => {
    // Act
    const resolving = resolveAwsTarget({}, [], { env: env({ AWS_REGION: 'Europe' }) });

    // Assess
    await expect(resolving).rejects.toThrow('AWS_REGION="Europe" is not an AWS Region');
  });

  it('refuses a --profile that neither shared file has', async () => {
    // Act
    const resolving = resolveAwsTarget({ profile: 'nobody', region: 'us-east-1' }, [], { env: env() });

    // Assess
    await expect(resolving).rejects.toThrow(ProfileNotFoundError);
    await expect(resolving).rejects.toThrow('profile nobody is in neither');
  });

  it('passes --profile and --endpoint on to the clients', async () => {
    // Act
    const target = await resolveAwsTarget({ profile: 'paris', endpoint: 'http://127.0.0.1:1' }, [], {
      env: env(),
    });

    // Assess
    expect(target).toEqual({
      endpoint: 'http://127.0.0.1:1',
      profile: 'paris',
      region: 'eu-west-3',
      regionSource: 'profile',
    });
  });
});

describe('regionOfArn', () => {
  it.each([
    [KEY_EU, 'eu-west-1'],
    [
      'arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef',
      'us-gov-west-1',
    ],
    ['arn:aws:iam::111122223333:role/x', undefined],
    ['alias/payments', undefined],
    ['1234abcd-12ab-34cd-56ef-1234567890ab', undefined],
  ])('%s -> %s', (arn, region) => {
    // Act
    const found = regionOfArn(arn);

    // Assess
    expect(found).toBe(region);
  });
});
