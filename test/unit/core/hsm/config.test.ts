import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HsmConfig, loadHsmConfig, resolvePin } from '../../../../src/core/hsm/config.ts';
import { HsmConfigError, HsmPinUnavailableError } from '../../../../src/core/hsm/errors.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:byok-pin-AbCdEf';
const secretsManager = mockClient(SecretsManagerClient);
let dir: string;

const baseConfig = (pinFile?: string): HsmConfig => ({
  profile: 'softhsm',
  library: '/usr/lib/softhsm/libsofthsm2.so',
  tokenLabel: 'byok',
  ...(pinFile ? { pinFile } : {}),
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'byok-config-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => {
  secretsManager.reset();
});

describe('resolvePin', () => {
  it('reads the PIN from Secrets Manager when BYOK_PIN_SECRET_ARN is set, before any local source', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
      .resolves({ SecretString: 'pin-from-secret' });

    // Act
    const pin = await resolvePin(baseConfig('/nonexistent'), {
      env: { BYOK_PIN_SECRET_ARN: SECRET_ARN, BYOK_PIN: 'local' },
      secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
    });

    // Assess
    expect(pin).toBe('pin-from-secret');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('accepts a JSON secret with a pin field', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"pin":"cu-user:password"}' });

    // Act
    const pin = await resolvePin(baseConfig(), {
      env: { BYOK_PIN_SECRET_ARN: SECRET_ARN },
      secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
    });

    // Assess
    expect(pin).toBe('cu-user:password');
  });

  it('throws a named error with a hint when the secret cannot be read', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));

    // Act
    const act = resolvePin(baseConfig(), {
      env: { BYOK_PIN_SECRET_ARN: SECRET_ARN },
      secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
    });

    // Assess
    await expect(act).rejects.toBeInstanceOf(HsmPinUnavailableError);
    await expect(act).rejects.toMatchObject({
      hint: expect.stringContaining('secretsmanager:GetSecretValue'),
    });
  });

  it('throws when the secret holds no PIN', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"user":"x"}' });

    // Act
    const act = resolvePin(baseConfig(), {
      env: { BYOK_PIN_SECRET_ARN: SECRET_ARN },
      secretsManager: new SecretsManagerClient({ region: 'us-east-1' }),
    });

    // Assess
    await expect(act).rejects.toThrow(/holds no PIN/);
  });

  it('prefers BYOK_PIN, then BYOK_PIN_FILE, then the configured pinFile', async () => {
    // Prepare
    const envFile = join(dir, 'env-pin');
    const configFile = join(dir, 'config-pin');
    await writeFile(envFile, 'from-env-file\n', { mode: 0o600 });
    await writeFile(configFile, 'from-config-file\n', { mode: 0o600 });

    // Act
    const fromVariable = await resolvePin(baseConfig(configFile), { env: { BYOK_PIN: 'from-variable' } });
    const fromEnvFile = await resolvePin(baseConfig(configFile), { env: { BYOK_PIN_FILE: envFile } });
    const fromConfig = await resolvePin(baseConfig(configFile), { env: {} });
    const none = await resolvePin(baseConfig(), { env: {} });

    // Assess
    expect([fromVariable, fromEnvFile, fromConfig, none]).toEqual([
      'from-variable',
      'from-env-file',
      'from-config-file',
      undefined,
    ]);
  });

  it('refuses a PIN file that group or others can read', async () => {
    // Prepare
    const file = join(dir, 'open-pin');
    await writeFile(file, 'pin\n');
    await chmod(file, 0o644);

    // Act
    const act = resolvePin(baseConfig(file), { env: {} });

    // Assess
    await expect(act).rejects.toBeInstanceOf(HsmPinUnavailableError);
    await expect(act).rejects.toMatchObject({ hint: `Run: chmod 600 ${file}` });
  });
});

describe('loadHsmConfig', () => {
  it('explains how to create a token when there is no configuration', async () => {
    // Act
    const act = loadHsmConfig(join(dir, 'nothing-here'));

    // Assess
    await expect(act).rejects.toBeInstanceOf(HsmConfigError);
    await expect(act).rejects.toMatchObject({ hint: expect.stringContaining('byok hsm init') });
  });

  it('rejects a configuration without a library', async () => {
    // Prepare
    const home = join(dir, 'bad-home');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(home, 'hsm'), { recursive: true }));
    await writeFile(join(home, 'hsm', 'config.json'), JSON.stringify({ profile: 'nss', tokenLabel: 'x' }));

    // Act
    const act = loadHsmConfig(home);

    // Assess
    await expect(act).rejects.toThrow(/is not valid/);
  });

  it('resolves relative paths against the configuration directory', async () => {
    // Prepare
    const home = join(dir, 'relative-home');
    await import('node:fs/promises').then((fs) => fs.mkdir(join(home, 'hsm'), { recursive: true }));
    await writeFile(
      join(home, 'hsm', 'config.json'),
      JSON.stringify({
        profile: 'nss',
        library: '/lib.so',
        tokenLabel: 'x',
        pinFile: 'pin',
        nssConfigDir: 'nss',
      }),
    );

    // Act
    const config = await loadHsmConfig(home);

    // Assess
    expect(config.pinFile).toBe(join(home, 'hsm', 'pin'));
    expect(config.nssConfigDir).toBe(join(home, 'hsm', 'nss'));
  });
});
