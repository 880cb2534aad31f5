// Local software tokens under $BYOK_HOME/hsm: NSS softoken (the default: it wraps with SHA-256)
// or SoftHSM2. Creating one writes $BYOK_HOME/hsm/config.json; creating it again reports the
// existing token and changes nothing.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type HsmConfig, hsmConfigPath, hsmDir, loadHsmConfig, writeHsmConfig } from './config.ts';
import { HsmLibraryNotFoundError, HsmTokenSetupError } from './errors.ts';
import { initTokenWithPins } from './pkcs11/token-init.ts';
import { PROFILES } from './profiles.ts';

const run = promisify(execFile);

export type LocalTokenKind = 'nss' | 'softhsm';

const CERTUTIL = '/usr/bin/certutil';

export interface InitLocalTokenResult {
  created: boolean;
  config: HsmConfig;
  configFile: string;
}

function generatePin(): string {
  // 24 random bytes as base64url: no characters a shell or NSS password file would mangle.
  return randomBytes(24).toString('base64url');
}

async function writeSecretFile(file: string, value: string): Promise<void> {
  await writeFile(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
}

export async function initLocalToken(options: {
  byokHome: string;
  kind?: LocalTokenKind | undefined;
}): Promise<InitLocalTokenResult> {
  const kind = options.kind ?? 'nss';
  const configFile = hsmConfigPath(options.byokHome);
  if (existsSync(configFile)) {
    return { created: false, config: await loadHsmConfig(options.byokHome), configFile };
  }
  const dir = hsmDir(options.byokHome);
  const tokenDir = join(dir, kind);
  if (existsSync(tokenDir)) {
    throw new HsmTokenSetupError(`${tokenDir} exists but ${configFile} does not`, {
      hint: `Remove ${tokenDir} to start over, or restore ${configFile}.`,
    });
  }
  await mkdir(tokenDir, { recursive: true, mode: 0o700 });
  const pinFile = join(dir, 'pin');
  const config = kind === 'nss' ? await initNss(tokenDir, pinFile) : await initSoftHsm(tokenDir, pinFile);
  await writeHsmConfig(options.byokHome, config);
  return { created: true, config, configFile };
}

async function initNss(tokenDir: string, pinFile: string): Promise<HsmConfig> {
  const profile = PROFILES.nss;
  if (!existsSync(profile.library)) throw new HsmLibraryNotFoundError(profile.library);
  if (!existsSync(CERTUTIL)) {
    throw new HsmTokenSetupError(`${CERTUTIL} is missing`, { hint: 'Install libnss3-tools.' });
  }
  if (tokenDir.includes("'"))
    throw new HsmTokenSetupError(`NSS cannot use a directory with a quote: ${tokenDir}`);
  await writeSecretFile(pinFile, generatePin());
  try {
    await run(CERTUTIL, ['-N', '-d', `sql:${tokenDir}`, '-f', pinFile]);
  } catch (error) {
    throw new HsmTokenSetupError(`certutil could not create the NSS database in ${tokenDir}`, {
      cause: error,
    });
  }
  return {
    profile: 'nss',
    library: profile.library,
    tokenLabel: profile.defaultTokenLabel,
    pinFile,
    nssConfigDir: tokenDir,
  };
}

async function initSoftHsm(tokenDir: string, pinFile: string): Promise<HsmConfig> {
  const profile = PROFILES.softhsm;
  if (!existsSync(profile.library)) throw new HsmLibraryNotFoundError(profile.library);
  const tokens = join(tokenDir, 'tokens');
  await mkdir(tokens, { mode: 0o700 });
  const conf = join(tokenDir, 'softhsm2.conf');
  await writeFile(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`, {
    mode: 0o600,
  });
  const pin = generatePin();
  const soPin = generatePin();
  await writeSecretFile(pinFile, pin);
  await writeSecretFile(join(tokenDir, 'so-pin'), soPin);
  const config: HsmConfig = {
    profile: 'softhsm',
    library: profile.library,
    tokenLabel: profile.defaultTokenLabel,
    pinFile,
    softhsm2Conf: conf,
  };
  // Through PKCS#11 in this process, not `softhsm2-util --so-pin <pin> --pin <pin>`: a command line
  // is readable by every local user in /proc/<pid>/cmdline (docs/security.md G5).
  initTokenWithPins(config, { soPin, pin });
  return config;
}
