// The PKCS#11 adapter behind the HSM port (pkcs11js). Facts it is built on (see docs/hsm.md):
// one module instance per library and process (a second C_Initialize fails), login is per token
// (a second C_Login reports CKR_USER_ALREADY_LOGGED_IN), tokens are found by label because slot ids
// change, and NSS's C_WrapKey ignores CKA_EXTRACTABLE=false, so we check it ourselves.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import pkcs11js from 'pkcs11js';
import { isPrintableText, quoteUntrusted } from '../shared/text.ts';
import { probeCapabilities, type TokenCapabilities } from './capabilities.ts';
import { type HsmConfig, resolvePin } from './config.ts';
import {
  describeReturnCode,
  HsmError,
  HsmInvalidKeyLabelError,
  HsmInvalidKeyMaterialError,
  HsmInvalidWrappingKeyError,
  HsmKeyAlreadyExistsError,
  HsmKeyNotExtractableError,
  HsmKeyNotFoundError,
  HsmKeyNotSensitiveError,
  HsmKeyTypeMismatchError,
  HsmLibraryNotFoundError,
  HsmLoginError,
  HsmMechanismNotSupportedError,
  HsmPinUnavailableError,
  HsmTokenNotFoundError,
  type Pkcs11ReturnCode,
  pkcs11ReturnCode,
  WrappingAlgorithmUnavailableError,
} from './errors.ts';
import {
  type CreateKeyInput,
  type Evidence,
  type HsmAdmin,
  type HsmKeyInfo,
  type HsmKeyType,
  type ImportKeyInput,
  isAsymmetric,
  isHsmKeyType,
  keyFamily,
  type WrapKeyInput,
  type WrappingAlgorithm,
} from './port.ts';
import { PROFILES } from './profiles.ts';

type Pkcs11 = pkcs11js.PKCS11;
type Handle = pkcs11js.Handle;
type Template = pkcs11js.Template;

const {
  CKA_CLASS,
  CKA_KEY_TYPE,
  CKA_LABEL,
  CKA_ID,
  CKA_TOKEN,
  CKA_PRIVATE,
  CKA_SENSITIVE,
  CKA_EXTRACTABLE,
  CKA_ALWAYS_SENSITIVE,
  CKA_NEVER_EXTRACTABLE,
  CKA_VALUE,
  CKA_VALUE_LEN,
  CKA_ENCRYPT,
  CKA_DECRYPT,
  CKA_WRAP,
  CKA_UNWRAP,
  CKA_SIGN,
  CKA_VERIFY,
  CKA_DERIVE,
  CKA_MODULUS,
  CKA_MODULUS_BITS,
  CKA_PUBLIC_EXPONENT,
  CKA_PRIVATE_EXPONENT,
  CKA_PRIME_1,
  CKA_PRIME_2,
  CKA_EXPONENT_1,
  CKA_EXPONENT_2,
  CKA_COEFFICIENT,
  CKA_EC_PARAMS,
  CKA_EC_POINT,
  CKO_SECRET_KEY,
  CKO_PRIVATE_KEY,
  CKO_PUBLIC_KEY,
  CKK_AES,
  CKK_GENERIC_SECRET,
  CKK_RSA,
  CKK_EC,
  CKM_AES_KEY_GEN,
  CKM_GENERIC_SECRET_KEY_GEN,
  CKM_RSA_PKCS_KEY_PAIR_GEN,
  CKM_EC_KEY_PAIR_GEN,
  CKM_RSA_PKCS_OAEP,
  CKM_SHA_1,
  CKM_SHA256,
  CKG_MGF1_SHA1,
  CKG_MGF1_SHA256,
  CK_PARAMS_RSA_OAEP,
  CKM_AES_ECB,
  CKM_SHA224_HMAC,
  CKM_SHA256_HMAC,
  CKM_SHA384_HMAC,
  CKM_SHA512_HMAC,
  CKF_SERIAL_SESSION,
  CKF_RW_SESSION,
  CKF_LOGIN_REQUIRED,
  CKU_USER,
  CKR_USER_ALREADY_LOGGED_IN,
  CKR_CRYPTOKI_ALREADY_INITIALIZED,
  CKR_PIN_INCORRECT,
  CKR_PIN_INVALID,
  CKR_PIN_LEN_RANGE,
  CKR_PIN_LOCKED,
  CKR_MECHANISM_INVALID,
  CKR_MECHANISM_PARAM_INVALID,
  CKR_ARGUMENTS_BAD,
  CKR_KEY_UNEXTRACTABLE,
  CKR_KEY_FUNCTION_NOT_PERMITTED,
  CKR_DATA_LEN_RANGE,
  CKR_KEY_SIZE_RANGE,
} = pkcs11js;

/** Return codes after which this session is gone; the next call opens a new one. */
const SESSION_LOST = new Set<number>([
  pkcs11js.CKR_SESSION_HANDLE_INVALID,
  pkcs11js.CKR_SESSION_CLOSED,
  pkcs11js.CKR_DEVICE_REMOVED,
  pkcs11js.CKR_DEVICE_ERROR,
  pkcs11js.CKR_TOKEN_NOT_PRESENT,
  pkcs11js.CKR_USER_NOT_LOGGED_IN,
]);

/** CKZ_DATA_SPECIFIED: NSS rejects OAEP parameters without it; pkcs11js does not export it. */
const CKZ_DATA_SPECIFIED = 1;

// ---------------------------------------------------------------------------------------------
// One module instance per library and process. The registry lives on globalThis so that two
// copies of this file (e.g. loaded through different loaders) still share it.

interface LoadedModule {
  pkcs11: Pkcs11;
  library: string;
  initKey: string;
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

function acquireModule(config: HsmConfig): LoadedModule {
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
    if (pkcs11ReturnCode(error)?.value !== CKR_CRYPTOKI_ALREADY_INITIALIZED) {
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

// ---------------------------------------------------------------------------------------------

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
  const loaded = acquireModule(config);
  try {
    return new Pkcs11Hsm(loaded, openSession(loaded, config.tokenLabel, pin), config, pin);
  } catch (error) {
    loaded.openHandles -= 1;
    throw error;
  }
}

/** A new R/W session on the token with this label, logged in (or checked) with the PIN. */
function openSession(loaded: LoadedModule, tokenLabel: string, pin: string | undefined): Handle {
  let session: Handle | undefined;
  try {
    const slot = findSlotByTokenLabel(loaded.pkcs11, tokenLabel);
    const tokenInfo = loaded.pkcs11.C_GetTokenInfo(slot);
    session = loaded.pkcs11.C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION);
    const loginRequired = (tokenInfo.flags & CKF_LOGIN_REQUIRED) !== 0;
    if (pin !== undefined) {
      login(loaded, session, pin, tokenLabel);
    } else if (loginRequired) {
      throw new HsmPinUnavailableError(`token "${tokenLabel}" needs a PIN and none is configured`, {
        hint: 'Set BYOK_PIN or BYOK_PIN_FILE locally, BYOK_PIN_SECRET_ARN in Lambda, or pinFile in the configuration.',
      });
    }
    return session;
  } catch (error) {
    if (session) {
      try {
        loaded.pkcs11.C_CloseSession(session);
      } catch {
        // The session is unusable either way.
      }
    }
    if (error instanceof HsmError) throw error;
    throw new HsmError(`opening a session on token "${tokenLabel}" failed`, {
      cause: error,
      returnCode: pkcs11ReturnCode(error),
    });
  }
}

function findSlotByTokenLabel(pkcs11: Pkcs11, tokenLabel: string): Handle {
  const labels: string[] = [];
  for (const slot of pkcs11.C_GetSlotList(true)) {
    const label = pkcs11.C_GetTokenInfo(slot).label.trim();
    if (label === tokenLabel) return slot;
    labels.push(label);
  }
  throw new HsmTokenNotFoundError(tokenLabel, labels);
}

function login(loaded: LoadedModule, session: Handle, pin: string, tokenLabel: string): void {
  const pinHash = createHash('sha256').update(pin).digest('hex');
  try {
    loaded.pkcs11.C_Login(session, CKU_USER, pin);
    loaded.loggedInPins.set(tokenLabel, pinHash);
  } catch (error) {
    const code = pkcs11ReturnCode(error);
    // Login is per token: another session of this process is already logged in. The token did not
    // check this PIN, so we do: a wrong PIN must not ride on someone else's login.
    if (code?.value === CKR_USER_ALREADY_LOGGED_IN) {
      if (loaded.loggedInPins.get(tokenLabel) === pinHash) return;
      throw new HsmLoginError(tokenLabel, {
        cause: error,
        returnCode: describeReturnCode(CKR_PIN_INCORRECT),
      });
    }
    if (
      code &&
      [CKR_PIN_INCORRECT, CKR_PIN_INVALID, CKR_PIN_LEN_RANGE, CKR_PIN_LOCKED].includes(code.value)
    ) {
      throw new HsmLoginError(tokenLabel, { cause: error, returnCode: code });
    }
    throw new HsmError(`C_Login to token "${tokenLabel}" failed`, { cause: error, returnCode: code });
  }
}

// ---------------------------------------------------------------------------------------------

const HMAC_LENGTHS: Record<string, number> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };
const HMAC_MAX_LENGTHS: Record<string, number> = { HMAC_224: 64, HMAC_256: 64, HMAC_384: 128, HMAC_512: 128 };
const HMAC_TYPE_BY_LENGTH = new Map<number, HsmKeyType>([
  [28, 'HMAC_224'],
  [32, 'HMAC_256'],
  [48, 'HMAC_384'],
  [64, 'HMAC_512'],
]);
const HMAC_MECHANISMS: Record<string, { mechanism: number; macAlgorithm: HmacMacAlgorithm }> = {
  HMAC_224: { mechanism: CKM_SHA224_HMAC, macAlgorithm: 'HMAC_SHA_224' },
  HMAC_256: { mechanism: CKM_SHA256_HMAC, macAlgorithm: 'HMAC_SHA_256' },
  HMAC_384: { mechanism: CKM_SHA384_HMAC, macAlgorithm: 'HMAC_SHA_384' },
  HMAC_512: { mechanism: CKM_SHA512_HMAC, macAlgorithm: 'HMAC_SHA_512' },
};
type HmacMacAlgorithm = 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512';

/** DER of the named-curve OIDs (CKA_EC_PARAMS). */
const CURVES: Record<string, { oid: Buffer; jwkCurve: string; nodeCurve: string; coordinateBytes: number }> =
  {
    ECC_NIST_P256: {
      oid: Buffer.from('06082a8648ce3d030107', 'hex'),
      jwkCurve: 'P-256',
      nodeCurve: 'prime256v1',
      coordinateBytes: 32,
    },
    ECC_NIST_P384: {
      oid: Buffer.from('06052b81040022', 'hex'),
      jwkCurve: 'P-384',
      nodeCurve: 'secp384r1',
      coordinateBytes: 48,
    },
    ECC_NIST_P521: {
      oid: Buffer.from('06052b81040023', 'hex'),
      jwkCurve: 'P-521',
      nodeCurve: 'secp521r1',
      coordinateBytes: 66,
    },
  };
const RSA_BITS: Record<string, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };
const ID_PREFIX = 'byok:';

/**
 * CKA_ID `byok:<type>:<random>`: records the type byok was asked for, links the halves of a pair,
 * and is unique, because NSS treats CKA_ID as a key's identity (a second key with the same ID
 * silently replaces the first).
 */
/** As the execution input's hsmKeyLabel: labels are printed (`byok hsm list`, errors, logs). */
const MAX_KEY_LABEL_LENGTH = 128;

/** Refuses a label for a new key that is empty, too long or not printable; never echoes it raw. */
function assertValidKeyLabel(label: string): void {
  const quoted = quoteUntrusted(label, 40);
  if (label.length === 0) throw new HsmInvalidKeyLabelError('a key label must not be empty');
  if (label.length > MAX_KEY_LABEL_LENGTH) {
    throw new HsmInvalidKeyLabelError(
      `key label "${quoted}" is ${label.length} characters long; at most ${MAX_KEY_LABEL_LENGTH} are allowed`,
    );
  }
  if (!isPrintableText(label)) {
    throw new HsmInvalidKeyLabelError(`key label "${quoted}" contains control or bidirectional characters`);
  }
}

function newKeyId(type: HsmKeyType): Buffer {
  return Buffer.from(`${ID_PREFIX}${type}:${randomBytes(8).toString('hex')}`, 'utf8');
}

interface FoundKey {
  handle: Handle;
  info: HsmKeyInfo;
  id: Buffer;
}

function bool(value: Buffer | undefined): boolean {
  return value !== undefined && value.length > 0 && value[0] !== 0;
}

function ulong(value: Buffer | undefined): number {
  if (!value || value.length === 0) return 0;
  // CK_ULONG in host byte order (little-endian on the platforms we run on).
  let result = 0;
  for (let i = value.length - 1; i >= 0; i -= 1) result = result * 256 + (value[i] ?? 0);
  return result;
}

function b64u(value: Buffer | undefined): string {
  if (!value) throw new HsmError('a required key component is missing');
  return value.toString('base64url');
}

function fromB64u(value: string | undefined): Buffer {
  if (value === undefined) throw new HsmInvalidKeyMaterialError('the private key lacks a required component');
  return Buffer.from(value, 'base64url');
}

function stripLeadingZeros(value: Buffer): Buffer {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start += 1;
  return value.subarray(start);
}

/** CKA_EC_POINT is DER OCTET STRING around the uncompressed point; some tokens return it raw. */
function uncompressedPoint(ecPoint: Buffer, coordinateBytes: number): Buffer {
  const rawLength = 1 + 2 * coordinateBytes;
  if (ecPoint.length === rawLength && ecPoint[0] === 0x04) return ecPoint;
  if (ecPoint[0] === 0x04) {
    const lengthByte = ecPoint[1] ?? 0;
    const headerLength = lengthByte < 0x80 ? 2 : 2 + (lengthByte & 0x7f);
    const inner = ecPoint.subarray(headerLength);
    if (inner.length === rawLength && inner[0] === 0x04) return inner;
  }
  throw new HsmError('the token returned an EC point in an unknown encoding');
}

export class Pkcs11Hsm implements HsmAdmin {
  readonly tokenLabel: string;
  readonly config: HsmConfig;
  private readonly pkcs11: Pkcs11;
  private readonly loaded: LoadedModule;
  /**
   * Kept to open a new session after the token dropped ours (HSM restart, network to the HSM). An
   * ECMAScript private field, not a property: util.inspect, JSON.stringify and spreads never see it.
   */
  readonly #pin: string | undefined;
  private current: Handle | undefined;
  private capabilities: Promise<TokenCapabilities> | undefined;
  private closed = false;

  constructor(loaded: LoadedModule, session: Handle, config: HsmConfig, pin: string | undefined) {
    this.loaded = loaded;
    this.pkcs11 = loaded.pkcs11;
    this.current = session;
    this.config = config;
    this.#pin = pin;
    this.tokenLabel = config.tokenLabel;
  }

  /** The open session; a new one when the last was lost (see `guard`). */
  private get session(): Handle {
    this.assertOpen();
    this.current ??= openSession(this.loaded, this.tokenLabel, this.#pin);
    return this.current;
  }

  private dropSession(): void {
    if (!this.current) return;
    try {
      this.pkcs11.C_CloseSession(this.current);
    } catch {
      // Already gone: that is why it is dropped.
    }
    this.current = undefined;
  }

  /**
   * Runs one operation: PKCS#11 failures become named errors with their return code, and a lost
   * session is dropped so the next call opens a new one instead of failing forever.
   */
  private async guard<T>(
    doing: string,
    work: () => T | Promise<T>,
    context: { label?: string; algorithm?: string } = {},
  ): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const mapped = error instanceof HsmError ? error : this.mapError(error, doing, context);
      if (mapped.returnCode && SESSION_LOST.has(mapped.returnCode.value)) this.dropSession();
      throw mapped;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.current) this.pkcs11.C_CloseSession(this.current);
    } catch {
      // A lost session needs no closing.
    } finally {
      this.current = undefined;
      this.loaded.openHandles -= 1;
    }
  }

  /**
   * The PKCS#11 module and this handle's session, for diagnostics and tests that must build
   * objects byok itself refuses to create (e.g. a non-sensitive key, to prove the refusal).
   */
  unsafeRawAccess(): { pkcs11: Pkcs11; session: Handle } {
    this.assertOpen();
    return { pkcs11: this.pkcs11, session: this.session };
  }

  private assertOpen(): void {
    if (this.closed) throw new HsmError(`the HSM handle for token "${this.tokenLabel}" is closed`);
  }

  // --- capabilities --------------------------------------------------------------------------

  /** Measured once per handle by a self-test with throw-away session objects. */
  tokenCapabilities(): Promise<TokenCapabilities> {
    this.assertOpen();
    this.capabilities ??= this.guard('running the capability self-test', () =>
      probeCapabilities({
        pkcs11: this.pkcs11,
        session: this.session,
        kwpMechanisms: PROFILES[this.config.profile].kwpMechanisms,
      }),
    ).catch((error: unknown) => {
      // A failed self-test (e.g. a lost session) is measured again next time, not cached.
      this.capabilities = undefined;
      throw error;
    });
    return this.capabilities;
  }

  async wrappingAlgorithms(keyType: HsmKeyType): Promise<WrappingAlgorithm[]> {
    const capabilities = await this.tokenCapabilities();
    return algorithmsFor(capabilities, keyType, defaultLength(keyType)).algorithms;
  }

  // --- keys ------------------------------------------------------------------------------------

  async listKeys(): Promise<HsmKeyInfo[]> {
    this.assertOpen();
    return this.guard('listing keys', () => this.listKeysInToken());
  }

  async createKey(input: CreateKeyInput): Promise<HsmKeyInfo> {
    this.assertOpen();
    assertValidKeyLabel(input.label);
    return this.guard(`generating ${input.type} key "${input.label}"`, () => this.createKeyInToken(input), {
      label: input.label,
    });
  }

  async importKey(input: ImportKeyInput): Promise<HsmKeyInfo> {
    this.assertOpen();
    assertValidKeyLabel(input.label);
    return this.guard(`importing ${input.type} key "${input.label}"`, () => this.importKeyInToken(input), {
      label: input.label,
    });
  }

  async wrapKey(input: WrapKeyInput): Promise<{ wrappedKeyMaterial: Uint8Array }> {
    this.assertOpen();
    return this.guard(
      `wrapping key "${input.label}" with ${input.algorithm}`,
      () => this.wrapKeyInToken(input),
      {
        label: input.label,
        algorithm: input.algorithm,
      },
    );
  }

  async evidence(label: string, challenge?: Uint8Array): Promise<Evidence> {
    this.assertOpen();
    return this.guard(
      `computing evidence for key "${label}"`,
      () => this.evidenceFromToken(label, challenge),
      {
        label,
      },
    );
  }

  async describeKey(label: string): Promise<HsmKeyInfo> {
    this.assertOpen();
    return this.guard(`reading key "${label}"`, () => this.findKey(label).info, { label });
  }

  private async listKeysInToken(): Promise<HsmKeyInfo[]> {
    this.assertOpen();
    const infos: HsmKeyInfo[] = [];
    for (const objectClass of [CKO_SECRET_KEY, CKO_PRIVATE_KEY]) {
      for (const handle of this.find([{ type: CKA_CLASS, value: objectClass }])) {
        const found = this.readKey(handle, undefined);
        if (found) infos.push(found.info);
      }
    }
    return infos.sort((a, b) => a.label.localeCompare(b.label));
  }

  private async createKeyInToken(input: CreateKeyInput): Promise<HsmKeyInfo> {
    this.assertOpen();
    this.assertLabelFree(input.label);
    const id = newKeyId(input.type);
    const family = keyFamily(input.type);
    try {
      if (family === 'aes' || family === 'hmac') {
        const length = family === 'aes' ? 32 : (HMAC_LENGTHS[input.type] ?? 32);
        this.pkcs11.C_GenerateKey(
          this.session,
          { mechanism: family === 'aes' ? CKM_AES_KEY_GEN : CKM_GENERIC_SECRET_KEY_GEN },
          [...this.secretTemplate(input.label, id, input.type), { type: CKA_VALUE_LEN, value: length }],
        );
      } else if (family === 'rsa') {
        this.pkcs11.C_GenerateKeyPair(
          this.session,
          { mechanism: CKM_RSA_PKCS_KEY_PAIR_GEN },
          [
            ...this.publicTemplate(input.label, id),
            { type: CKA_KEY_TYPE, value: CKK_RSA },
            { type: CKA_MODULUS_BITS, value: RSA_BITS[input.type] ?? 2048 },
            { type: CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
          ],
          [...this.privateTemplate(input.label, id), { type: CKA_KEY_TYPE, value: CKK_RSA }],
        );
      } else {
        const curve = CURVES[input.type];
        if (!curve) throw new HsmKeyTypeMismatchError(`unsupported key type ${input.type}`, input.label);
        this.pkcs11.C_GenerateKeyPair(
          this.session,
          { mechanism: CKM_EC_KEY_PAIR_GEN },
          [
            ...this.publicTemplate(input.label, id),
            { type: CKA_KEY_TYPE, value: CKK_EC },
            { type: CKA_EC_PARAMS, value: curve.oid },
          ],
          [...this.privateTemplate(input.label, id), { type: CKA_KEY_TYPE, value: CKK_EC }],
        );
      }
    } catch (error) {
      throw this.mapError(error, `generating ${input.type} key "${input.label}"`);
    }
    return this.findKey(input.label).info;
  }

  private async importKeyInToken(input: ImportKeyInput): Promise<HsmKeyInfo> {
    this.assertOpen();
    this.assertLabelFree(input.label);
    const id = newKeyId(input.type);
    const family = keyFamily(input.type);
    try {
      if (family === 'aes' || family === 'hmac') {
        this.importSecret(input, id);
      } else {
        this.importPrivateKey(input, id);
      }
    } catch (error) {
      if (error instanceof HsmError) throw error;
      throw this.mapError(error, `importing ${input.type} key "${input.label}"`);
    }
    return this.findKey(input.label).info;
  }

  private importSecret(input: ImportKeyInput, id: Buffer): void {
    const length = input.material.length;
    if (input.type === 'AES_256' && length !== 32) {
      throw new HsmInvalidKeyMaterialError(`AES_256 key material must be 32 bytes, the file has ${length}`);
    }
    if (input.type.startsWith('HMAC_')) {
      const min = HMAC_LENGTHS[input.type] ?? 0;
      const max = HMAC_MAX_LENGTHS[input.type] ?? 0;
      if (length < min || length > max) {
        throw new HsmInvalidKeyMaterialError(
          `${input.type} key material must be ${min} to ${max} bytes, the file has ${length}`,
        );
      }
    }
    const value = Buffer.from(input.material);
    try {
      this.pkcs11.C_CreateObject(this.session, [
        ...this.secretTemplate(input.label, id, input.type),
        { type: CKA_VALUE, value },
      ]);
    } finally {
      value.fill(0);
    }
  }

  private importPrivateKey(input: ImportKeyInput, id: Buffer): void {
    let privateKey: KeyObject;
    try {
      const material = Buffer.from(input.material);
      const pem = material.subarray(0, 32).toString('latin1').includes('-----BEGIN');
      privateKey = pem
        ? createPrivateKey({ key: material.toString('utf8'), format: 'pem' })
        : createPrivateKey({ key: material, format: 'der', type: 'pkcs8' });
    } catch {
      // The parser's message could quote the input: say only what is wrong.
      throw new HsmInvalidKeyMaterialError(
        `the ${input.type} key file is not a PKCS#8 private key (DER or PEM)`,
      );
    }
    const family = keyFamily(input.type);
    const details = privateKey.asymmetricKeyDetails;
    const jwk = privateKey.export({ format: 'jwk' });
    if (family === 'rsa') {
      if (privateKey.asymmetricKeyType !== 'rsa' || details?.modulusLength !== RSA_BITS[input.type]) {
        throw new HsmInvalidKeyMaterialError(
          `the key file holds a ${describeNodeKey(privateKey)} key, not ${input.type}`,
        );
      }
      const common = [{ type: CKA_KEY_TYPE, value: CKK_RSA }];
      this.pkcs11.C_CreateObject(this.session, [
        ...this.privateTemplate(input.label, id),
        ...common,
        { type: CKA_MODULUS, value: fromB64u(jwk.n) },
        { type: CKA_PUBLIC_EXPONENT, value: fromB64u(jwk.e) },
        { type: CKA_PRIVATE_EXPONENT, value: fromB64u(jwk.d) },
        { type: CKA_PRIME_1, value: fromB64u(jwk.p) },
        { type: CKA_PRIME_2, value: fromB64u(jwk.q) },
        { type: CKA_EXPONENT_1, value: fromB64u(jwk.dp) },
        { type: CKA_EXPONENT_2, value: fromB64u(jwk.dq) },
        { type: CKA_COEFFICIENT, value: fromB64u(jwk.qi) },
      ]);
      this.pkcs11.C_CreateObject(this.session, [
        ...this.publicTemplate(input.label, id),
        ...common,
        { type: CKA_MODULUS, value: fromB64u(jwk.n) },
        { type: CKA_PUBLIC_EXPONENT, value: fromB64u(jwk.e) },
      ]);
      return;
    }
    const curve = CURVES[input.type];
    if (!curve || privateKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== curve.nodeCurve) {
      throw new HsmInvalidKeyMaterialError(
        `the key file holds a ${describeNodeKey(privateKey)} key, not ${input.type}`,
      );
    }
    const point = Buffer.concat([Buffer.from([0x04]), fromB64u(jwk.x), fromB64u(jwk.y)]);
    const common = [
      { type: CKA_KEY_TYPE, value: CKK_EC },
      { type: CKA_EC_PARAMS, value: curve.oid },
    ];
    this.pkcs11.C_CreateObject(this.session, [
      ...this.privateTemplate(input.label, id),
      ...common,
      { type: CKA_VALUE, value: fromB64u(jwk.d) },
    ]);
    this.pkcs11.C_CreateObject(this.session, [
      ...this.publicTemplate(input.label, id),
      ...common,
      // DER OCTET STRING around the uncompressed point, as PKCS#11 specifies.
      { type: CKA_EC_POINT, value: Buffer.concat([derLength(0x04, point.length), point]) },
    ]);
  }

  // Every attribute set explicitly: NSS's defaults (not sensitive, all usages on) are unsafe.
  private secretTemplate(label: string, id: Buffer, type: HsmKeyType): Template {
    const aes = type === 'AES_256';
    return [
      ...this.masterCopyTemplate(CKO_SECRET_KEY, label, id),
      { type: CKA_KEY_TYPE, value: aes ? CKK_AES : CKK_GENERIC_SECRET },
      // AES: encrypt only, for the key check value. HMAC: sign only, for the evidence MAC.
      { type: CKA_ENCRYPT, value: aes },
      { type: CKA_DECRYPT, value: false },
      { type: CKA_SIGN, value: !aes },
      { type: CKA_VERIFY, value: false },
      { type: CKA_WRAP, value: false },
      { type: CKA_UNWRAP, value: false },
      { type: CKA_DERIVE, value: false },
    ];
  }

  private privateTemplate(label: string, id: Buffer): Template {
    return [
      ...this.masterCopyTemplate(CKO_PRIVATE_KEY, label, id),
      { type: CKA_SIGN, value: true },
      { type: CKA_DECRYPT, value: false },
      { type: CKA_UNWRAP, value: false },
      { type: CKA_DERIVE, value: false },
    ];
  }

  // A master copy (secret or private key) stays in the token, behind login, and leaves it only
  // wrapped: C_WrapKey needs CKA_EXTRACTABLE, CKA_SENSITIVE forbids reading its value.
  private masterCopyTemplate(keyClass: number, label: string, id: Buffer): Template {
    return [
      { type: CKA_CLASS, value: keyClass },
      { type: CKA_LABEL, value: label },
      { type: CKA_ID, value: id },
      { type: CKA_TOKEN, value: true },
      { type: CKA_PRIVATE, value: true },
      { type: CKA_SENSITIVE, value: true },
      { type: CKA_EXTRACTABLE, value: true },
    ];
  }

  private publicTemplate(label: string, id: Buffer): Template {
    return [
      { type: CKA_CLASS, value: CKO_PUBLIC_KEY },
      { type: CKA_LABEL, value: label },
      { type: CKA_ID, value: id },
      { type: CKA_TOKEN, value: true },
      { type: CKA_PRIVATE, value: false },
      { type: CKA_VERIFY, value: true },
      { type: CKA_ENCRYPT, value: false },
      { type: CKA_WRAP, value: false },
    ];
  }

  private assertLabelFree(label: string): void {
    if (label.length === 0) throw new HsmError('a key label must not be empty');
    if (this.find([{ type: CKA_LABEL, value: label }]).length > 0) {
      throw new HsmKeyAlreadyExistsError(label, this.tokenLabel);
    }
  }

  private find(template: Template): Handle[] {
    const handles: Handle[] = [];
    this.pkcs11.C_FindObjectsInit(this.session, template);
    try {
      for (;;) {
        const batch = this.pkcs11.C_FindObjects(this.session, 64);
        if (batch.length === 0) break;
        handles.push(...batch);
      }
    } finally {
      this.pkcs11.C_FindObjectsFinal(this.session);
    }
    return handles;
  }

  private findKey(label: string): FoundKey {
    const candidates: FoundKey[] = [];
    for (const objectClass of [CKO_SECRET_KEY, CKO_PRIVATE_KEY]) {
      for (const handle of this.find([
        { type: CKA_CLASS, value: objectClass },
        { type: CKA_LABEL, value: label },
      ])) {
        const found = this.readKey(handle, label);
        if (found) candidates.push(found);
      }
    }
    const [first, second] = candidates;
    if (!first) throw new HsmKeyNotFoundError(label, this.tokenLabel);
    if (second) {
      throw new HsmError(`${candidates.length} keys are labelled "${label}" in token "${this.tokenLabel}"`, {
        hint: 'Labels must identify one key; delete or relabel the duplicates.',
      });
    }
    return first;
  }

  /** Reads a key's attributes; undefined when it is not a key type byok handles. */
  private readKey(handle: Handle, expectedLabel: string | undefined): FoundKey | undefined {
    const [
      classAttr,
      keyTypeAttr,
      labelAttr,
      idAttr,
      sensitive,
      extractable,
      alwaysSensitive,
      neverExtractable,
    ] = this.pkcs11.C_GetAttributeValue(this.session, handle, [
      { type: CKA_CLASS },
      { type: CKA_KEY_TYPE },
      { type: CKA_LABEL },
      { type: CKA_ID },
      { type: CKA_SENSITIVE },
      { type: CKA_EXTRACTABLE },
      { type: CKA_ALWAYS_SENSITIVE },
      { type: CKA_NEVER_EXTRACTABLE },
    ]);
    const objectClass = ulong(classAttr?.value as Buffer | undefined);
    const keyType = ulong(keyTypeAttr?.value as Buffer | undefined);
    const label = (labelAttr?.value as Buffer | undefined)?.toString('utf8') ?? '';
    const id = (idAttr?.value as Buffer | undefined) ?? Buffer.alloc(0);
    const idText = id.toString('utf8');
    const declared = idText.startsWith(ID_PREFIX) ? idText.slice(ID_PREFIX.length).split(':')[0] : undefined;
    let type: HsmKeyType | undefined;
    let valueLength: number | undefined;
    if (objectClass === CKO_SECRET_KEY) {
      valueLength = ulong(this.attribute(handle, CKA_VALUE_LEN));
      if (keyType === CKK_AES) type = valueLength === 32 ? 'AES_256' : undefined;
      else if (keyType === CKK_GENERIC_SECRET) {
        type =
          declared && isHsmKeyType(declared) && declared.startsWith('HMAC_')
            ? declared
            : HMAC_TYPE_BY_LENGTH.get(valueLength);
      }
    } else if (objectClass === CKO_PRIVATE_KEY) {
      if (keyType === CKK_RSA) {
        const bits = stripLeadingZeros(this.attribute(handle, CKA_MODULUS)).length * 8;
        type =
          bits === 2048 ? 'RSA_2048' : bits === 3072 ? 'RSA_3072' : bits === 4096 ? 'RSA_4096' : undefined;
      } else if (keyType === CKK_EC) {
        const params = this.attribute(handle, CKA_EC_PARAMS);
        for (const [name, curve] of Object.entries(CURVES)) {
          if (curve.oid.equals(params) && isHsmKeyType(name)) type = name;
        }
      }
    }
    if (!type) {
      if (expectedLabel !== undefined) {
        throw new HsmKeyTypeMismatchError(
          `key "${expectedLabel}" in token "${this.tokenLabel}" is of a type byok does not import (class ${objectClass}, key type ${keyType})`,
          expectedLabel,
        );
      }
      return undefined;
    }
    return {
      handle,
      id,
      info: {
        label,
        token: this.tokenLabel,
        type,
        objectClass: objectClass === CKO_SECRET_KEY ? 'secret' : 'private',
        sensitive: bool(sensitive?.value as Buffer | undefined),
        extractable: bool(extractable?.value as Buffer | undefined),
        alwaysSensitive: bool(alwaysSensitive?.value as Buffer | undefined),
        neverExtractable: bool(neverExtractable?.value as Buffer | undefined),
        valueLength,
      },
    };
  }

  private attribute(handle: Handle, type: number): Buffer {
    const [result] = this.pkcs11.C_GetAttributeValue(this.session, handle, [{ type }]);
    return (result?.value as Buffer | undefined) ?? Buffer.alloc(0);
  }

  // --- wrapping --------------------------------------------------------------------------------

  private async wrapKeyInToken(input: WrapKeyInput): Promise<{ wrappedKeyMaterial: Uint8Array }> {
    this.assertOpen();
    const key = this.findKey(input.label);
    if (input.expectedKeyType !== undefined && input.expectedKeyType !== key.info.type) {
      throw new HsmKeyTypeMismatchError(
        `key "${input.label}" in token "${this.tokenLabel}" is ${key.info.type}, but the KMS key needs ${input.expectedKeyType}`,
        input.label,
        { hint: 'Point the KMS key at an HSM key of the matching type (tag byok:hsm-key-label).' },
      );
    }
    assertWrappable(key.info);
    const capabilities = await this.tokenCapabilities();
    const { algorithms, reasons, codes } = algorithmsFor(capabilities, key.info.type, key.info.valueLength);
    if (!algorithms.includes(input.algorithm)) {
      const why = reasons[input.algorithm] ?? 'the token cannot produce it';
      throw new WrappingAlgorithmUnavailableError(
        `token "${this.tokenLabel}" cannot wrap ${key.info.type} key "${input.label}" with ${input.algorithm}: ${why}`,
        input.algorithm,
        algorithms,
        {
          returnCode: codes[input.algorithm],
          hint:
            algorithms.length > 0
              ? `This token can produce: ${algorithms.join(', ')}.`
              : 'This token can produce no KMS wrapping algorithm for this key; use a token that wraps with exact RFC 5649 (e.g. NSS).',
        },
      );
    }
    const wrappingKey = parseWrappingPublicKey(input.wrappingPublicKey);
    const oaep = oaepMechanism(input.algorithm);
    let publicHandle: Handle | undefined;
    try {
      publicHandle = this.pkcs11.C_CreateObject(this.session, [
        { type: CKA_CLASS, value: CKO_PUBLIC_KEY },
        { type: CKA_KEY_TYPE, value: CKK_RSA },
        { type: CKA_TOKEN, value: false },
        { type: CKA_WRAP, value: true },
        { type: CKA_ENCRYPT, value: true },
        { type: CKA_VERIFY, value: false },
        { type: CKA_MODULUS, value: wrappingKey.modulus },
        { type: CKA_PUBLIC_EXPONENT, value: wrappingKey.exponent },
      ]);
      if (!input.algorithm.startsWith('RSA_AES_KEY_WRAP')) {
        const wrapped = this.pkcs11.C_WrapKey(
          this.session,
          oaep,
          publicHandle,
          key.handle,
          Buffer.alloc(wrappingKey.modulusBytes),
        );
        return { wrappedKeyMaterial: new Uint8Array(wrapped) };
      }
      const kwp = capabilities.kwp;
      if (!kwp)
        throw new HsmMechanismNotSupportedError('RFC 5649 AES key wrap with padding', this.tokenLabel);
      return { wrappedKeyMaterial: this.twoWrap(oaep, publicHandle, key.handle, kwp.mechanism) };
    } catch (error) {
      if (error instanceof HsmError) throw error;
      throw this.mapError(error, `wrapping key "${input.label}" with ${input.algorithm}`, {
        label: input.label,
        algorithm: input.algorithm,
      });
    } finally {
      if (publicHandle) this.destroyQuietly(publicHandle);
    }
  }

  /**
   * RSA_AES_KEY_WRAP built from two in-token wraps (pkcs11js cannot pass CK_RSA_AES_KEY_WRAP_PARAMS):
   * an ephemeral AES-256 session key wrapped with OAEP, then the target wrapped with RFC 5649
   * under it. The ephemeral key is sensitive and destroyed before returning.
   */
  private twoWrap(
    oaep: pkcs11js.Mechanism,
    publicHandle: Handle,
    target: Handle,
    kwpMechanism: number,
  ): Uint8Array {
    const ephemeral = this.pkcs11.C_GenerateKey(this.session, { mechanism: CKM_AES_KEY_GEN }, [
      { type: CKA_CLASS, value: CKO_SECRET_KEY },
      { type: CKA_KEY_TYPE, value: CKK_AES },
      { type: CKA_VALUE_LEN, value: 32 },
      { type: CKA_TOKEN, value: false },
      { type: CKA_PRIVATE, value: true },
      { type: CKA_SENSITIVE, value: true },
      { type: CKA_EXTRACTABLE, value: true },
      { type: CKA_WRAP, value: true },
      { type: CKA_UNWRAP, value: false },
      { type: CKA_ENCRYPT, value: false },
      { type: CKA_DECRYPT, value: false },
      { type: CKA_SIGN, value: false },
      { type: CKA_DERIVE, value: false },
    ]);
    try {
      const wrappedEphemeral = this.pkcs11.C_WrapKey(
        this.session,
        oaep,
        publicHandle,
        ephemeral,
        Buffer.alloc(1024),
      );
      const wrappedTarget = this.pkcs11.C_WrapKey(
        this.session,
        { mechanism: kwpMechanism },
        ephemeral,
        target,
        Buffer.alloc(16 * 1024),
      );
      return new Uint8Array(Buffer.concat([wrappedEphemeral, wrappedTarget]));
    } finally {
      this.destroyQuietly(ephemeral);
    }
  }

  private destroyQuietly(handle: Handle): void {
    try {
      this.pkcs11.C_DestroyObject(this.session, handle);
    } catch {
      // Session objects vanish with the session anyway.
    }
  }

  // --- evidence --------------------------------------------------------------------------------

  private async evidenceFromToken(label: string, challenge?: Uint8Array): Promise<Evidence> {
    this.assertOpen();
    const key = this.findKey(label);
    const family = keyFamily(key.info.type);
    try {
      if (family === 'aes') {
        this.pkcs11.C_EncryptInit(this.session, { mechanism: CKM_AES_ECB }, key.handle);
        const block = this.pkcs11.C_Encrypt(this.session, Buffer.alloc(16), Buffer.alloc(32)).toString('hex');
        return { kind: 'aes-kcv', method: 'AES-ECB-zero-block', block, kcv: block.slice(0, 6) };
      }
      if (family === 'hmac') {
        const hmac = HMAC_MECHANISMS[key.info.type];
        if (!hmac) throw new HsmKeyTypeMismatchError(`no HMAC mechanism for ${key.info.type}`, label);
        const data = Buffer.from(challenge ?? randomBytes(32));
        this.pkcs11.C_SignInit(this.session, { mechanism: hmac.mechanism }, key.handle);
        const mac = this.pkcs11.C_Sign(this.session, data, Buffer.alloc(64));
        return {
          kind: 'hmac',
          macAlgorithm: hmac.macAlgorithm,
          keyLength: key.info.valueLength ?? 0,
          challenge: new Uint8Array(data),
          mac: new Uint8Array(mac),
        };
      }
      return { kind: 'public-key', spki: this.publicKeySpki(key) };
    } catch (error) {
      if (error instanceof HsmError) throw error;
      throw this.mapError(error, `computing evidence for key "${label}"`);
    }
  }

  private publicKeySpki(key: FoundKey): Uint8Array {
    if (keyFamily(key.info.type) === 'rsa') {
      // Modulus and public exponent are public attributes, readable on a sensitive private key.
      const modulus = this.attribute(key.handle, CKA_MODULUS);
      const exponent = this.attribute(key.handle, CKA_PUBLIC_EXPONENT);
      return new Uint8Array(
        createPublicKey({ key: { kty: 'RSA', n: b64u(modulus), e: b64u(exponent) }, format: 'jwk' }).export({
          format: 'der',
          type: 'spki',
        }),
      );
    }
    const curve = CURVES[key.info.type];
    if (!curve) throw new HsmKeyTypeMismatchError(`no curve for ${key.info.type}`, key.info.label);
    const publics = this.find([
      { type: CKA_CLASS, value: CKO_PUBLIC_KEY },
      { type: CKA_LABEL, value: key.info.label },
      ...(key.id.length > 0 ? [{ type: CKA_ID, value: key.id }] : []),
    ]);
    const [publicHandle] = publics;
    if (!publicHandle) {
      throw new HsmError(
        `the public half of EC key "${key.info.label}" is missing from token "${this.tokenLabel}"`,
        {
          hint: 'byok finds it by the same label and CKA_ID as the private key.',
        },
      );
    }
    const point = uncompressedPoint(this.attribute(publicHandle, CKA_EC_POINT), curve.coordinateBytes);
    const x = point.subarray(1, 1 + curve.coordinateBytes).toString('base64url');
    const y = point.subarray(1 + curve.coordinateBytes).toString('base64url');
    return new Uint8Array(
      createPublicKey({ key: { kty: 'EC', crv: curve.jwkCurve, x, y }, format: 'jwk' }).export({
        format: 'der',
        type: 'spki',
      }),
    );
  }

  // --- errors ----------------------------------------------------------------------------------

  private mapError(
    error: unknown,
    doing: string,
    context: { label?: string; algorithm?: string } = {},
  ): HsmError {
    return mapPkcs11Error(error, { doing, tokenLabel: this.tokenLabel, ...context });
  }
}

/** Turns a pkcs11js error into a named error that says what byok was doing, with the return code. */
export function mapPkcs11Error(
  error: unknown,
  context: { doing: string; tokenLabel: string; label?: string | undefined; algorithm?: string | undefined },
): HsmError {
  const { doing, tokenLabel } = context;
  const code = pkcs11ReturnCode(error);
  const options = { cause: error, returnCode: code };
  switch (code?.value) {
    case CKR_MECHANISM_INVALID:
    case CKR_MECHANISM_PARAM_INVALID:
    case CKR_ARGUMENTS_BAD:
      return new HsmMechanismNotSupportedError(`the mechanism needed for ${doing}`, tokenLabel, options);
    case CKR_KEY_UNEXTRACTABLE:
      return context.label
        ? new HsmKeyNotExtractableError(context.label, tokenLabel, options)
        : new HsmError(`token "${tokenLabel}" refused ${doing}: the key is not extractable`, options);
    case CKR_DATA_LEN_RANGE:
    case CKR_KEY_SIZE_RANGE:
      return new WrappingAlgorithmUnavailableError(
        `token "${tokenLabel}" refused ${doing}: the key is too long for RSA-OAEP under this wrapping key`,
        context.algorithm,
        [],
        { ...options, hint: 'Use RSA_AES_KEY_WRAP_SHA_256, or a larger wrapping key spec (RSA_4096).' },
      );
    case CKR_KEY_FUNCTION_NOT_PERMITTED:
      return new HsmError(`token "${tokenLabel}" refused ${doing}: the key does not permit it`, {
        ...options,
        hint: 'Keys created by `byok hsm` have the attributes byok needs; this one was created elsewhere.',
      });
    default:
      return new HsmError(`token "${tokenLabel}" failed ${doing}`, options);
  }
}

function derLength(tag: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([tag, length]);
  if (length < 0x100) return Buffer.from([tag, 0x81, length]);
  return Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
}

function describeNodeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa') return `RSA ${details?.modulusLength ?? '?'}-bit`;
  if (key.asymmetricKeyType === 'ec') return `EC ${details?.namedCurve ?? '?'}`;
  return key.asymmetricKeyType ?? 'unknown';
}

/** The refusals the token may not make for us (NSS ignores CKA_EXTRACTABLE=false). */
export function assertWrappable(info: HsmKeyInfo): void {
  if (!info.sensitive) throw new HsmKeyNotSensitiveError(info.label, info.token);
  if (!info.extractable) throw new HsmKeyNotExtractableError(info.label, info.token);
}

function oaepMechanism(algorithm: WrappingAlgorithm): pkcs11js.Mechanism {
  const sha256 = algorithm.endsWith('SHA_256');
  const parameter: pkcs11js.RsaOAEP = {
    type: CK_PARAMS_RSA_OAEP,
    hashAlg: sha256 ? CKM_SHA256 : CKM_SHA_1,
    mgf: sha256 ? CKG_MGF1_SHA256 : CKG_MGF1_SHA1,
    source: CKZ_DATA_SPECIFIED,
  };
  return { mechanism: CKM_RSA_PKCS_OAEP, parameter };
}

export function parseWrappingPublicKey(spki: Uint8Array): {
  modulus: Buffer;
  exponent: Buffer;
  modulusBytes: number;
} {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (error) {
    throw new HsmInvalidWrappingKeyError('the wrapping public key is not a DER SubjectPublicKeyInfo', {
      cause: error,
    });
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (key.asymmetricKeyType !== 'rsa' || (bits !== 2048 && bits !== 3072 && bits !== 4096)) {
    throw new HsmInvalidWrappingKeyError(
      `the wrapping public key must be RSA 2048, 3072 or 4096 bits (got ${describeNodeKey(key)})`,
    );
  }
  const jwk = key.export({ format: 'jwk' });
  return { modulus: fromB64u(jwk.n), exponent: fromB64u(jwk.e), modulusBytes: bits / 8 };
}

function defaultLength(type: HsmKeyType): number | undefined {
  if (type === 'AES_256') return 32;
  return HMAC_LENGTHS[type];
}

/**
 * What a token with these capabilities can produce for a key of this type and length. Lengths
 * matter on tokens whose RFC 5649 is only exact for multiples of 8 (SoftHSM2 2.6.1 zero-pads).
 */
export function algorithmsFor(
  capabilities: TokenCapabilities,
  type: HsmKeyType,
  secretLength: number | undefined,
): {
  algorithms: WrappingAlgorithm[];
  reasons: Partial<Record<WrappingAlgorithm, string>>;
  codes: Partial<Record<WrappingAlgorithm, Pkcs11ReturnCode>>;
} {
  const algorithms: WrappingAlgorithm[] = [];
  const reasons: Partial<Record<WrappingAlgorithm, string>> = {};
  const codes: Partial<Record<WrappingAlgorithm, Pkcs11ReturnCode>> = {};
  const failures = capabilities.failureCodes;
  const family = keyFamily(type);
  for (const hash of ['SHA_1', 'SHA_256'] as const) {
    const oaepOk = hash === 'SHA_256' ? capabilities.oaepSha256 : capabilities.oaepSha1;
    const oaep = `RSAES_OAEP_${hash}` as const;
    const hybrid = `RSA_AES_KEY_WRAP_${hash}` as const;
    const noOaep = `the token's RSA-OAEP does not support ${hash.replace('_', '-')}`;
    if (!oaepOk) {
      const code = hash === 'SHA_256' ? failures.oaepSha256 : failures.oaepSha1;
      reasons[oaep] = noOaep;
      reasons[hybrid] = noOaep;
      codes[oaep] = code;
      codes[hybrid] = code;
      continue;
    }
    if (family === 'rsa') reasons[oaep] = 'an RSA private key is too long for RSA-OAEP';
    else if (family === 'ec' && !capabilities.oaepPrivateKeys) {
      reasons[oaep] = "the token's RSA-OAEP cannot wrap private keys";
      codes[oaep] = failures.oaepPrivateKeys;
    } else algorithms.push(oaep);
    const kwp = capabilities.kwp;
    if (!kwp) {
      reasons[hybrid] = capabilities.kwpFinding ?? 'the token has no exact RFC 5649 key wrap with padding';
      codes[hybrid] = failures.kwp;
    } else if (kwp.exactFor === 'all') {
      algorithms.push(hybrid);
    } else if (!isAsymmetric(type) && secretLength !== undefined && secretLength % 8 === 0) {
      algorithms.push(hybrid);
    } else {
      reasons[hybrid] = isAsymmetric(type)
        ? `${kwp.finding}; a PKCS#8 private key's length is rarely a multiple of 8, so it would come back padded`
        : `${kwp.finding}; a ${secretLength ?? '?'}-byte key is not a multiple of 8, so it would come back padded`;
    }
  }
  return { algorithms, reasons, codes };
}
