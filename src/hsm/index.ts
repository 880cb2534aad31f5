// The HSM module's public surface: the port, the PKCS#11 adapter behind it, local token setup.
export { probeCapabilities, type TokenCapabilities } from './capabilities.ts';
export {
  defaultByokHome,
  type HsmConfig,
  HsmConfigSchema,
  hsmConfigPath,
  hsmDir,
  loadHsmConfig,
  loadHsmConfigFile,
  resolvePin,
} from './config.ts';
export * from './errors.ts';
export { unwrapAsKms } from './kms-unwrap.ts';
export { initLocalToken, type LocalTokenKind } from './local-token.ts';
export { finalizeIdleModules, type OpenHsmOptions, openHsm, Pkcs11Hsm } from './pkcs11-adapter.ts';
export * from './port.ts';
export { type HsmProfileName, PROFILES } from './profiles.ts';
