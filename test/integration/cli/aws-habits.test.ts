// The CLI's AWS habits (issue 19), by the real `byok` process over the real local stack, with real
// shared config and credentials files in a temp dir and nothing of the machine's own AWS set-up:
// the Region of a key ARN is used (`byok import --key-id arn:aws:kms:eu-west-1:…` said "no AWS
// Region given"), a --region that contradicts it is refused by name, --profile's region and
// credentials reach the SDK (the local approvals API verifies the SigV4 signature with the
// profile's secret and records its access key id), and an unknown profile is refused.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient } from '../../../src/core/aws/clients.ts';
import { type LocalApprovals, startLocalApprovals } from '../../../src/onprem/simulation/approvals.ts';
import { type ImportHarness, startImportHarness } from '../../helpers/import-harness.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';

const byok = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');
const home = mkdtempSync(join(tmpdir(), 'byok-aws-habits-'));
const CONFIG = join(home, 'config');
const CREDENTIALS = join(home, 'credentials');
writeFileSync(
  CONFIG,
  ['[profile dublin]', 'region = eu-west-1', '[profile alice]', '[profile forger]', ''].join('\n'),
);
writeFileSync(
  CREDENTIALS,
  [
    '[dublin]',
    'aws_access_key_id = AKIDDUBLIN',
    'aws_secret_access_key = dublin-secret',
    '[alice]',
    'aws_access_key_id = AKIDALICE',
    'aws_secret_access_key = alice-secret',
    // Claims alice's access key id without her secret.
    '[forger]',
    'aws_access_key_id = AKIDALICE',
    'aws_secret_access_key = not-alice-secret',
    '',
  ].join('\n'),
);
const SECRETS: Record<string, string> = { AKIDALICE: 'alice-secret', AKIDENV: 'env-secret' };

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

let harness: ImportHarness;
let approvals: LocalApprovals;
let dublinKms: KMSClient;
/** The access key ids the approvals API saw, in order. */
const signers: string[] = [];

/** The real CLI with only these shared files, no AWS_* of this machine, no instance metadata. */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('BYOK_')),
  );
  return new Promise((done) => {
    execFile(
      process.execPath,
      [byok, ...args],
      {
        env: {
          ...clean,
          HOME: home,
          AWS_CONFIG_FILE: CONFIG,
          AWS_SHARED_CREDENTIALS_FILE: CREDENTIALS,
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          BYOK_HOME: harness.token.byokHome,
          ...env,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        done({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  harness = await startImportHarness({ keys: [{ label: 'dublin-aes', type: 'AES_256' }] });
  approvals = await startLocalApprovals(harness.stack, {
    secretFor: (accessKeyId) => {
      signers.push(accessKeyId);
      return SECRETS[accessKeyId];
    },
  });
  // The local KMS keeps keys per Region: the one a request's SigV4 scope names.
  dublinKms = createKmsClient({ endpoint: harness.stack.url, region: 'eu-west-1' });
});

afterAll(async () => {
  dublinKms?.destroy();
  await approvals?.stop();
  await harness?.stop();
  rmSync(home, { recursive: true, force: true });
});

async function dublinKeyArn(): Promise<string> {
  const keyId = await createManagedExternalKey(dublinKms, { hsmKeyLabel: 'dublin-aes' });
  const described = await dublinKms.send(new DescribeKeyCommand({ KeyId: keyId }));
  return described.KeyMetadata?.Arn as string;
}

describe('the Region', () => {
  it('comes from the key ARN: byok import --key-id arn:aws:kms:eu-west-1:… imports into eu-west-1', async () => {
    // Prepare
    const arn = await dublinKeyArn();

    // Act
    const result = await cli([
      'import',
      '--endpoint',
      harness.stack.url,
      '--key-id',
      arn,
      '--valid-for',
      '30d',
    ]);

    // Assess
    expect(result.stderr).not.toContain('no AWS Region');
    expect(result.code, result.stderr).toBe(0);
    const described = await dublinKms.send(new DescribeKeyCommand({ KeyId: arn }));
    expect(described.KeyMetadata?.KeyState).toBe('Enabled');
  });

  it('refuses --region naming another Region than the key ARN, by name, before anything runs', async () => {
    // Prepare
    const arn = await dublinKeyArn();

    // Act
    const result = await cli([
      'import',
      '--endpoint',
      harness.stack.url,
      '--key-id',
      arn,
      '--region',
      'us-east-1',
    ]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'byok: RegionConflictError: --region us-east-1 conflicts with --key-id, whose ARN is in eu-west-1',
    );
    expect(result.stdout).toBe('');
    const described = await dublinKms.send(new DescribeKeyCommand({ KeyId: arn }));
    expect(described.KeyMetadata?.KeyState).toBe('PendingImport');
  });

  it('against AWS, a key ARN is Region enough: the next thing missing is credentials, not the Region', async () => {
    // Act
    const result = await cli([
      'import',
      '--key-id',
      'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      '--no-expiry',
    ]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('Region');
    expect(result.stderr).toContain('byok: AwsSetupError: no AWS credentials found');
  });

  it('is never a silent default against AWS: no Region anywhere is a named error', async () => {
    // Act
    const result = await cli(['status']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^byok: RegionMissingError: no AWS Region/);
    expect(result.stderr).toContain('hint: pass --region, set AWS_REGION');
  });

  it("comes from --profile's region: byok status --profile dublin lists the eu-west-1 keys", async () => {
    // Prepare
    const arn = await dublinKeyArn();
    const keyId = arn.split('/').pop() as string;

    // Act
    const dublin = await cli([
      'status',
      '--endpoint',
      harness.stack.url,
      '--profile',
      'dublin',
      '--output',
      'json',
    ]);
    const byDefault = await cli(['status', '--endpoint', harness.stack.url, '--output', 'json']);

    // Assess
    const listed = (result: CliResult) =>
      (JSON.parse(result.stdout) as { keys: { keyId: string }[] }).keys.map((key) => key.keyId);
    expect(listed(dublin)).toContain(keyId);
    expect(listed(byDefault)).not.toContain(keyId);
  });
});

describe('--profile', () => {
  it("signs with the profile's credentials: the approvals API verifies alice's signature", async () => {
    // Prepare
    signers.length = 0;

    // Act
    const result = await cli([
      'approvals',
      '--endpoint',
      harness.stack.url,
      '--profile',
      'alice',
      '--output',
      'json',
    ]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual([]);
    expect(signers).toEqual(['AKIDALICE']);
  });

  it('wins over the credentials in the environment, as in the AWS CLI', async () => {
    // Prepare
    signers.length = 0;

    // Act
    const result = await cli(['approvals', '--endpoint', harness.stack.url, '--profile', 'alice', '--json'], {
      AWS_ACCESS_KEY_ID: 'AKIDENV',
      AWS_SECRET_ACCESS_KEY: 'env-secret',
    });
    const withoutProfile = await cli(['approvals', '--endpoint', harness.stack.url, '--json'], {
      AWS_ACCESS_KEY_ID: 'AKIDENV',
      AWS_SECRET_ACCESS_KEY: 'env-secret',
    });

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(withoutProfile.code, withoutProfile.stderr).toBe(0);
    expect(signers).toEqual(['AKIDALICE', 'AKIDENV']);
  });

  it("is the profile's secret that signs: a profile with alice's key id and another secret is refused", async () => {
    // Act
    const result = await cli(['approvals', '--endpoint', harness.stack.url, '--profile', 'forger']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^byok: UnauthenticatedError: .*signature does not match/);
  });

  it('refuses a profile that neither shared file has, by name', async () => {
    // Act
    const result = await cli(['status', '--endpoint', harness.stack.url, '--profile', 'nobody']);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^byok: ProfileNotFoundError: profile nobody is in neither/);
  });
});
