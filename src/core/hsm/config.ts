// The HSM configuration: which library, which token (by label) and where the PIN comes from.
// Local tokens keep it in $BYOK_HOME/hsm/config.json; paths in that file are relative to it so a
// BYOK_HOME directory can be moved.
import { constants } from 'node:fs';
import { type FileHandle, open, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { createSecretsManagerClient } from '../aws/clients.ts';
import { resolveByokHome } from '../shared/paths.ts';
import { HsmConfigError, HsmPinUnavailableError } from './errors.ts';

export const HsmConfigSchema = z.object({
  profile: z.enum(['softhsm', 'nss', 'cloudhsm', 'custom']),
  library: z.string().min(1),
  tokenLabel: z.string().min(1),
  /** File holding the user PIN (mode 0600). */
  pinFile: z.string().min(1).optional(),
  /** NSS: the database directory (sql: format). */
  nssConfigDir: z.string().min(1).optional(),
  /** SoftHSM2: the softhsm2.conf to set as SOFTHSM2_CONF before C_Initialize. */
  softhsm2Conf: z.string().min(1).optional(),
});
export type HsmConfig = z.infer<typeof HsmConfigSchema>;

export function defaultByokHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolveByokHome(env);
}

export function hsmDir(byokHome: string): string {
  return join(resolve(byokHome), 'hsm');
}

export function hsmConfigPath(byokHome: string): string {
  return join(hsmDir(byokHome), 'config.json');
}

const PATH_FIELDS = ['pinFile', 'nssConfigDir', 'softhsm2Conf'] as const;

/** Reads $BYOK_HOME/hsm/config.json; relative paths in it are resolved against its directory. */
export async function loadHsmConfig(byokHome: string = defaultByokHome()): Promise<HsmConfig> {
  return loadHsmConfigFile(hsmConfigPath(byokHome));
}

async function loadHsmConfigFile(file: string): Promise<HsmConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new HsmConfigError(`no HSM configuration at ${file}`, {
      cause: error,
      hint: 'Create a local token with `byok hsm init`, or set BYOK_HOME to the directory that holds one.',
    });
  }
  let parsed: HsmConfig;
  try {
    parsed = HsmConfigSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new HsmConfigError(`the HSM configuration at ${file} is not valid`, {
      cause: error,
      hint: 'It needs profile, library and tokenLabel; see docs/hsm.md.',
    });
  }
  const base = dirname(file);
  const config: HsmConfig = { ...parsed };
  for (const field of PATH_FIELDS) {
    const value = config[field];
    if (value !== undefined && !isAbsolute(value)) config[field] = resolve(base, value);
  }
  return config;
}

export async function writeHsmConfig(byokHome: string, config: HsmConfig): Promise<string> {
  const file = hsmConfigPath(byokHome);
  const base = dirname(file);
  const stored: HsmConfig = { ...config };
  for (const field of PATH_FIELDS) {
    const value = stored[field];
    if (value !== undefined && isAbsolute(value)) stored[field] = relative(base, value);
  }
  await writeFile(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return file;
}

export interface PinSourceOptions {
  env?: NodeJS.ProcessEnv | undefined;
  /** For BYOK_PIN_SECRET_ARN; built with createSecretsManagerClient when absent. */
  secretsManager?: SecretsManagerClient | undefined;
}

/**
 * The user PIN, from the first source set: BYOK_PIN_SECRET_ARN (AWS Secrets Manager, for Lambda),
 * BYOK_PIN, BYOK_PIN_FILE, then the configuration's pinFile. Undefined means no login (an NSS
 * database without a password).
 */
export async function resolvePin(
  config: HsmConfig,
  options: PinSourceOptions = {},
): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const secretArn = env.BYOK_PIN_SECRET_ARN;
  if (secretArn) return readPinSecret(secretArn, options.secretsManager ?? createSecretsManagerClient());
  if (env.BYOK_PIN !== undefined && env.BYOK_PIN !== '') return env.BYOK_PIN;
  const file = env.BYOK_PIN_FILE || config.pinFile;
  if (file) return readPinFile(file);
  return undefined;
}

async function readPinSecret(secretArn: string, client: SecretsManagerClient): Promise<string> {
  let secret: string | undefined;
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    secret = output.SecretString;
  } catch (error) {
    throw new HsmPinUnavailableError(
      `the HSM PIN could not be read from Secrets Manager secret ${secretArn}`,
      {
        cause: error,
        hint: 'The function role needs secretsmanager:GetSecretValue on BYOK_PIN_SECRET_ARN.',
      },
    );
  }
  const pin = secret === undefined ? undefined : pinFromSecretString(secret);
  if (!pin) {
    throw new HsmPinUnavailableError(`Secrets Manager secret ${secretArn} holds no PIN`, {
      hint: 'Store the PIN as the secret string, or as JSON {"pin": "..."}.',
    });
  }
  return pin;
}

function pinFromSecretString(secret: string): string | undefined {
  const trimmed = secret.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (parsed && typeof parsed === 'object' && 'pin' in parsed && typeof parsed.pin === 'string') {
        return parsed.pin;
      }
      return undefined;
    } catch {
      return trimmed;
    }
  }
  return trimmed.length > 0 ? trimmed : undefined;
}

async function readPinFile(file: string): Promise<string> {
  // One descriptor for the checks and the read, so the file cannot be swapped in between,
  // O_NOFOLLOW so a symlink cannot point the check at a file the user does not control, and
  // O_NONBLOCK so a FIFO is refused as not a regular file instead of blocking the open.
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new HsmPinUnavailableError(`PIN file ${file} is a symbolic link`, {
        hint: 'Point BYOK_PIN_FILE or pinFile at the file itself.',
      });
    }
    throw new HsmPinUnavailableError(`PIN file ${file} cannot be read`, { cause: error });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new HsmPinUnavailableError(`PIN file ${file} is not a regular file`);
    const uid = process.getuid?.();
    if (uid !== undefined && stats.uid !== uid) {
      throw new HsmPinUnavailableError(
        `PIN file ${file} is owned by uid ${stats.uid}, not by you (uid ${uid})`,
        {
          hint: `Run: chown ${uid} ${file}`,
        },
      );
    }
    // A PIN readable by others is an insecure setup, not a convenience.
    if ((stats.mode & 0o077) !== 0) {
      throw new HsmPinUnavailableError(
        `PIN file ${file} is accessible by group or others (mode ${(stats.mode & 0o777).toString(8)})`,
        { hint: `Run: chmod 600 ${file}` },
      );
    }
    const pin = (await handle.readFile('utf8')).replace(/\r?\n$/, '');
    if (pin.length === 0) throw new HsmPinUnavailableError(`PIN file ${file} is empty`);
    return pin;
  } finally {
    await handle.close();
  }
}
