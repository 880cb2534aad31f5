// One logged-in session on one token, found by label (slot ids change), and what every operation
// on it shares: login per token (a second C_Login reports CKR_USER_ALREADY_LOGGED_IN, so we check
// the PIN ourselves), a new session when the token dropped ours, finding a key by label and reading
// its attributes, and turning pkcs11js errors into named errors. The PIN is an ECMAScript private
// field: util.inspect, JSON.stringify and spreads never see it.
import { createHash } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { probeCapabilities, type TokenCapabilities } from '../capabilities.ts';
import type { HsmConfig } from '../config.ts';
import {
  describeReturnCode,
  HsmError,
  HsmKeyNotExtractableError,
  HsmKeyNotFoundError,
  HsmKeyTypeMismatchError,
  HsmLoginError,
  HsmMechanismNotSupportedError,
  HsmPinUnavailableError,
  HsmTokenNotFoundError,
  pkcs11ReturnCode,
  WrappingAlgorithmUnavailableError,
} from '../errors.ts';
import { type HsmKeyInfo, type HsmKeyType, isHsmKeyType } from '../port.ts';
import { PROFILES } from '../profiles.ts';
import { bool, stripLeadingZeros, ulong } from './encoding.ts';
import { acquireModule, type Handle, type LoadedModule, type Pkcs11, type Template } from './module.ts';
import { CURVES, declaredKeyType, HMAC_TYPE_BY_LENGTH } from './templates.ts';

const {
  CKA_CLASS,
  CKA_KEY_TYPE,
  CKA_LABEL,
  CKA_ID,
  CKA_SENSITIVE,
  CKA_EXTRACTABLE,
  CKA_ALWAYS_SENSITIVE,
  CKA_NEVER_EXTRACTABLE,
  CKA_LOCAL,
  CKA_VALUE_LEN,
  CKA_MODULUS,
  CKA_EC_PARAMS,
  CKO_SECRET_KEY,
  CKO_PRIVATE_KEY,
  CKK_AES,
  CKK_GENERIC_SECRET,
  CKK_RSA,
  CKK_EC,
  CKF_SERIAL_SESSION,
  CKF_RW_SESSION,
  CKF_LOGIN_REQUIRED,
  CKU_USER,
  CKR_USER_ALREADY_LOGGED_IN,
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

/** What the operation was about, for the named error a PKCS#11 failure becomes. */
export interface OperationContext {
  label?: string | undefined;
  algorithm?: string | undefined;
}

/** A key byok handles, as found in the token: its object handle, attributes and CKA_ID. */
export interface FoundKey {
  handle: Handle;
  info: HsmKeyInfo;
  id: Buffer;
}

/** Loads the library (once per process) and opens a session on the configuration's token. */
export function openTokenSession(config: HsmConfig, pin: string | undefined): TokenSession {
  const loaded = acquireModule(config);
  try {
    return new TokenSession(loaded, openSession(loaded, config.tokenLabel, pin), config, pin);
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

/** The slot whose token has this label (slot ids change, e.g. when SoftHSM2 initialises a token). */
export function findSlotByTokenLabel(pkcs11: Pkcs11, tokenLabel: string): Handle {
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

export class TokenSession {
  readonly tokenLabel: string;
  readonly config: HsmConfig;
  readonly pkcs11: Pkcs11;
  readonly #loaded: LoadedModule;
  /** Kept to open a new session after the token dropped ours (HSM restart, network to the HSM). */
  readonly #pin: string | undefined;
  #current: Handle | undefined;
  #capabilities: Promise<TokenCapabilities> | undefined;
  #closed = false;

  constructor(loaded: LoadedModule, session: Handle, config: HsmConfig, pin: string | undefined) {
    this.#loaded = loaded;
    this.pkcs11 = loaded.pkcs11;
    this.#current = session;
    this.config = config;
    this.#pin = pin;
    this.tokenLabel = config.tokenLabel;
  }

  /** The open session; a new one when the last was lost (see `run`). */
  get handle(): Handle {
    this.assertOpen();
    this.#current ??= openSession(this.#loaded, this.tokenLabel, this.#pin);
    return this.#current;
  }

  #dropSession(): void {
    if (!this.#current) return;
    try {
      this.pkcs11.C_CloseSession(this.#current);
    } catch {
      // Already gone: that is why it is dropped.
    }
    this.#current = undefined;
  }

  /**
   * Runs one operation: PKCS#11 failures become named errors with their return code, and a lost
   * session is dropped so the next call opens a new one instead of failing forever.
   */
  async run<T>(doing: string, work: () => T | Promise<T>, context: OperationContext = {}): Promise<T> {
    this.assertOpen();
    try {
      return await work();
    } catch (error) {
      const mapped = error instanceof HsmError ? error : this.mapError(error, doing, context);
      if (mapped.returnCode && SESSION_LOST.has(mapped.returnCode.value)) this.#dropSession();
      throw mapped;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      if (this.#current) this.pkcs11.C_CloseSession(this.#current);
    } catch {
      // A lost session needs no closing.
    } finally {
      this.#current = undefined;
      this.#loaded.openHandles -= 1;
    }
  }

  assertOpen(): void {
    if (this.#closed) throw new HsmError(`the HSM handle for token "${this.tokenLabel}" is closed`);
  }

  /** Measured once per session by a self-test with throw-away session objects. */
  tokenCapabilities(): Promise<TokenCapabilities> {
    this.assertOpen();
    this.#capabilities ??= this.run('running the capability self-test', () =>
      probeCapabilities({
        pkcs11: this.pkcs11,
        session: this.handle,
        kwpMechanisms: PROFILES[this.config.profile].kwpMechanisms,
      }),
    ).catch((error: unknown) => {
      // A failed self-test (e.g. a lost session) is measured again next time, not cached.
      this.#capabilities = undefined;
      throw error;
    });
    return this.#capabilities;
  }

  find(template: Template): Handle[] {
    const handles: Handle[] = [];
    this.pkcs11.C_FindObjectsInit(this.handle, template);
    try {
      for (;;) {
        const batch = this.pkcs11.C_FindObjects(this.handle, 64);
        if (batch.length === 0) break;
        handles.push(...batch);
      }
    } finally {
      this.pkcs11.C_FindObjectsFinal(this.handle);
    }
    return handles;
  }

  /** The one secret or private key with this label; HsmKeyNotFoundError, or an error for duplicates. */
  findKey(label: string): FoundKey {
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
  readKey(handle: Handle, expectedLabel: string | undefined): FoundKey | undefined {
    const [
      classAttr,
      keyTypeAttr,
      labelAttr,
      idAttr,
      sensitive,
      extractable,
      alwaysSensitive,
      neverExtractable,
      local,
    ] = this.pkcs11.C_GetAttributeValue(this.handle, handle, [
      { type: CKA_CLASS },
      { type: CKA_KEY_TYPE },
      { type: CKA_LABEL },
      { type: CKA_ID },
      { type: CKA_SENSITIVE },
      { type: CKA_EXTRACTABLE },
      { type: CKA_ALWAYS_SENSITIVE },
      { type: CKA_NEVER_EXTRACTABLE },
      { type: CKA_LOCAL },
    ]);
    const objectClass = ulong(classAttr?.value as Buffer | undefined);
    const keyType = ulong(keyTypeAttr?.value as Buffer | undefined);
    const label = (labelAttr?.value as Buffer | undefined)?.toString('utf8') ?? '';
    const id = (idAttr?.value as Buffer | undefined) ?? Buffer.alloc(0);
    const declared = declaredKeyType(id);
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
        local: bool(local?.value as Buffer | undefined),
        ...(id.length > 0 ? { id: printableId(id) } : {}),
        valueLength,
      },
    };
  }

  attribute(handle: Handle, type: number): Buffer {
    const [result] = this.pkcs11.C_GetAttributeValue(this.handle, handle, [{ type }]);
    return (result?.value as Buffer | undefined) ?? Buffer.alloc(0);
  }

  /** Destroys a session object (a wrapping key, an ephemeral key); failure is harmless. */
  destroyQuietly(handle: Handle): void {
    try {
      this.pkcs11.C_DestroyObject(this.handle, handle);
    } catch {
      // Session objects vanish with the session anyway.
    }
  }

  mapError(error: unknown, doing: string, context: OperationContext = {}): HsmError {
    return mapPkcs11Error(error, { doing, tokenLabel: this.tokenLabel, ...context });
  }
}

/** CKA_ID as text when it is printable ASCII (byok's are), else `hex:<hex>`. */
function printableId(id: Buffer): string {
  return /^[\x20-\x7e]+$/.test(id.toString('latin1')) ? id.toString('latin1') : `hex:${id.toString('hex')}`;
}

/** Turns a pkcs11js error into a named error that says what byok was doing, with the return code. */
export function mapPkcs11Error(
  error: unknown,
  context: { doing: string; tokenLabel: string } & OperationContext,
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
