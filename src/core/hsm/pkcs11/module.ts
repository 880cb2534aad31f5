// Loading a PKCS#11 library: one module instance per library and process, because a second
// C_Initialize fails. The registry lives on globalThis so that two copies of this file (e.g.
// loaded through different loaders) still share it. Sessions and login are in session.ts.
import { existsSync } from 'node:fs';
import pkcs11js from 'pkcs11js';
import type { HsmConfig } from '../config.ts';
import { HsmError, HsmLibraryNotFoundError, pkcs11ReturnCode } from '../errors.ts';

export type Pkcs11 = pkcs11js.PKCS11;
export type Handle = pkcs11js.Handle;
export type Template = pkcs11js.Template;

export interface LoadedModule {
  pkcs11: Pkcs11;
  library: string;
  initKey: string;
  /** HSM handles open on this module; it is finalised only when none is. */
  openHandles: number;
  /** SHA-256 of the PIN that logged in, per token label: login is per token, not per session. */
  loggedInPins: Map<string, string>;
}

const REGISTRY_KEY = Symbol.for('byok.hsm.pkcs11-modules');
const globalRegistry = globalThis as unknown as Record<symbol, Map<string, LoadedModule> | undefined>;
const modules: Map<string, LoadedModule> = globalRegistry[REGISTRY_KEY] ?? new Map<string, LoadedModule>();
globalRegistry[REGISTRY_KEY] = modules;

function initKeyOf(config: HsmConfig): string {
  return JSON.stringify({ nss: config.nssConfigDir ?? null, softhsm: config.softhsm2Conf ?? null });
}

function nssLibraryParameters(configDir: string): string {
  if (configDir.includes("'")) {
    throw new HsmError(`NSS database directory ${configDir} contains a quote, which NSS cannot parse`);
  }
  // pkcs11js 2.1.7 drops the last character of libraryParameters: the trailing space absorbs it.
  return `configdir='sql:${configDir}' certPrefix='' keyPrefix='' secmod='secmod.db' flags= `;
}

/** The initialised module for this configuration's library, counting one more open handle on it. */
export function acquireModule(config: HsmConfig): LoadedModule {
  const initKey = initKeyOf(config);
  const existing = modules.get(config.library);
  if (existing) {
    if (existing.initKey === initKey) {
      existing.openHandles += 1;
      return existing;
    }
    if (existing.openHandles > 0) {
      throw new HsmError(
        `${config.library} is already initialised in this process for another token database; close that HSM first`,
        { hint: 'A PKCS#11 library is initialised once per process.' },
      );
    }
    finalizeModule(existing);
  }
  // A bare file name is left to the dynamic loader's search path.
  if (config.library.includes('/') && !existsSync(config.library)) {
    throw new HsmLibraryNotFoundError(config.library);
  }
  const pkcs11 = new pkcs11js.PKCS11();
  try {
    pkcs11.load(config.library);
  } catch (error) {
    throw new HsmLibraryNotFoundError(config.library, { cause: error });
  }
  const options: pkcs11js.InitializationOptions = {};
  if (config.profile === 'nss' || config.nssConfigDir) {
    if (!config.nssConfigDir) {
      throw new HsmError('the NSS profile needs nssConfigDir (the NSS database directory)', {
        hint: 'Create a local token with `byok hsm init --token nss`.',
      });
    }
    options.libraryParameters = nssLibraryParameters(config.nssConfigDir);
  }
  // SoftHSM2 reads SOFTHSM2_CONF during C_Initialize and never again.
  if (config.softhsm2Conf) process.env.SOFTHSM2_CONF = config.softhsm2Conf;
  try {
    pkcs11.C_Initialize(options);
  } catch (error) {
    if (pkcs11ReturnCode(error)?.value !== pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED) {
      try {
        pkcs11.close();
      } catch {
        // Unloading is best effort.
      }
      throw new HsmError(`C_Initialize of ${config.library} failed`, {
        cause: error,
        returnCode: pkcs11ReturnCode(error),
        hint: 'Check the token configuration (SOFTHSM2_CONF for SoftHSM2, the database directory for NSS).',
      });
    }
  }
  const loaded: LoadedModule = {
    pkcs11,
    library: config.library,
    initKey,
    openHandles: 1,
    loggedInPins: new Map(),
  };
  modules.set(config.library, loaded);
  return loaded;
}

function finalizeModule(loaded: LoadedModule): void {
  modules.delete(loaded.library);
  try {
    loaded.pkcs11.C_Finalize();
  } catch {
    // Already finalised or never initialised: nothing left to release.
  }
  try {
    loaded.pkcs11.close();
  } catch {
    // The library may refuse dlclose; the process keeps it mapped, which is harmless.
  }
}

/** Finalises every PKCS#11 library with no open HSM handle (tests and CLI exit). */
export function finalizeIdleModules(): void {
  for (const loaded of [...modules.values()]) {
    if (loaded.openHandles === 0) finalizeModule(loaded);
  }
}
