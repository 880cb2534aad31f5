// The PKCS#11 adapter behind the HSM port (pkcs11js): `openHsm` and the `Pkcs11Hsm` handle. The
// work is in src/core/hsm/pkcs11/, split along what a reviewer reads together (see docs/hsm.md):
// module.ts (one library instance per process), session.ts (login, lost sessions, finding keys),
// templates.ts (what byok writes into a token), key-admin.ts (CLI only: create, import, list) and
// wrap.ts (the wrap path and its evidence, what the WrapKeyMaterial Lambda and a worker use).
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { TokenCapabilities } from './capabilities.ts';
import { type HsmConfig, resolvePin } from './config.ts';
import {
  assertValidKeyLabel,
  createKeyInToken,
  destroyKeyInToken,
  importKeyInToken,
  listKeysInToken,
} from './pkcs11/key-admin.ts';
import type { Handle, Pkcs11 } from './pkcs11/module.ts';
import { openTokenSession, type TokenSession } from './pkcs11/session.ts';
import { evidenceFromToken, tokenWrappingAlgorithms, wrapKeyInToken } from './pkcs11/wrap.ts';
import type {
  CreateKeyInput,
  Evidence,
  HsmAdmin,
  HsmKeyInfo,
  HsmKeyType,
  ImportKeyInput,
  WrapKeyInput,
  WrappingAlgorithm,
} from './port.ts';

export { finalizeIdleModules } from './pkcs11/module.ts';

export interface OpenHsmOptions {
  /** The PIN; when absent it is resolved from the environment and configuration (resolvePin). */
  pin?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  secretsManager?: SecretsManagerClient | undefined;
}

/** Opens the token the configuration names: one session, logged in when the token needs it. */
export async function openHsm(config: HsmConfig, options: OpenHsmOptions = {}): Promise<Pkcs11Hsm> {
  const pin =
    options.pin ?? (await resolvePin(config, { env: options.env, secretsManager: options.secretsManager }));
  return new Pkcs11Hsm(openTokenSession(config, pin));
}

/**
 * One handle on one token. The session (and the PIN it logs in with again after the token dropped
 * it) is an ECMAScript private field: util.inspect, JSON.stringify and spreads never see it.
 */
export class Pkcs11Hsm implements HsmAdmin {
  readonly tokenLabel: string;
  readonly config: HsmConfig;
  readonly #token: TokenSession;

  constructor(token: TokenSession) {
    this.#token = token;
    this.config = token.config;
    this.tokenLabel = token.tokenLabel;
  }

  async close(): Promise<void> {
    this.#token.close();
  }

  /**
   * The PKCS#11 module and this handle's session, for diagnostics and tests that must build
   * objects byok itself refuses to create (e.g. a non-sensitive key, to prove the refusal).
   */
  unsafeRawAccess(): { pkcs11: Pkcs11; session: Handle } {
    this.#token.assertOpen();
    return { pkcs11: this.#token.pkcs11, session: this.#token.handle };
  }

  /** Measured once per handle by a self-test with throw-away session objects. */
  tokenCapabilities(): Promise<TokenCapabilities> {
    return this.#token.tokenCapabilities();
  }

  // --- the wrap path (src/core/hsm/pkcs11/wrap.ts) ------------------------------------------------

  wrappingAlgorithms(keyType: HsmKeyType): Promise<WrappingAlgorithm[]> {
    return tokenWrappingAlgorithms(this.#token, keyType);
  }

  async describeKey(label: string): Promise<HsmKeyInfo> {
    return this.#token.run(`reading key "${label}"`, () => this.#token.findKey(label).info, { label });
  }

  async wrapKey(input: WrapKeyInput): Promise<{ wrappedKeyMaterial: Uint8Array }> {
    return this.#token.run(
      `wrapping key "${input.label}" with ${input.algorithm}`,
      () => wrapKeyInToken(this.#token, input),
      { label: input.label, algorithm: input.algorithm },
    );
  }

  async evidence(label: string, challenge?: Uint8Array): Promise<Evidence> {
    return this.#token.run(
      `computing evidence for key "${label}"`,
      () => evidenceFromToken(this.#token, label, challenge),
      { label },
    );
  }

  // --- key administration, CLI only (src/core/hsm/pkcs11/key-admin.ts) ----------------------------

  async listKeys(): Promise<HsmKeyInfo[]> {
    return this.#token.run('listing keys', () => listKeysInToken(this.#token));
  }

  async createKey(input: CreateKeyInput): Promise<HsmKeyInfo> {
    this.#token.assertOpen();
    assertValidKeyLabel(input.label);
    return this.#token.run(
      `generating ${input.type} key "${input.label}"`,
      () => createKeyInToken(this.#token, input),
      { label: input.label },
    );
  }

  async destroyKey(label: string): Promise<number> {
    return this.#token.run(`destroying key "${label}"`, () => destroyKeyInToken(this.#token, label), {
      label,
    });
  }

  async importKey(input: ImportKeyInput): Promise<HsmKeyInfo> {
    this.#token.assertOpen();
    assertValidKeyLabel(input.label);
    return this.#token.run(
      `importing ${input.type} key "${input.label}"`,
      () => importKeyInToken(this.#token, input),
      { label: input.label },
    );
  }
}
