// Named errors of the HSM module. Each carries the PKCS#11 return code (name and hex) when one
// caused it, and a `hint` for the person who has to fix it. Messages name labels and tokens, never
// key material.
import { createRequire } from 'node:module';
import { ByokError } from '../shared/errors.ts';

// pkcs11js is native and deployed only with the wrap function (from the PKCS#11 layer), but other
// functions import these error classes too: load it on first use, never at import
// (test/deploy/template.test.ts checks each Lambda bundle).
type Pkcs11Module = typeof import('pkcs11js');
let pkcs11Module: Pkcs11Module | undefined;
function loadPkcs11(): Pkcs11Module {
  pkcs11Module ??= createRequire(import.meta.url)('pkcs11js') as Pkcs11Module;
  return pkcs11Module;
}

export interface Pkcs11ReturnCode {
  /** e.g. CKR_PIN_INCORRECT */
  name: string;
  /** e.g. 0x000000A0 */
  hex: string;
  value: number;
}

let returnCodeNames: Map<number, string> | undefined;
function returnCodeName(value: number): string | undefined {
  if (!returnCodeNames) {
    returnCodeNames = new Map<number, string>();
    for (const [name, code] of Object.entries(loadPkcs11())) {
      if (name.startsWith('CKR_') && typeof code === 'number' && !returnCodeNames.has(code)) {
        returnCodeNames.set(code, name);
      }
    }
  }
  return returnCodeNames.get(value);
}

export function describeReturnCode(value: number): Pkcs11ReturnCode {
  return {
    name: returnCodeName(value) ?? 'CKR_VENDOR_DEFINED',
    hex: `0x${value.toString(16).toUpperCase().padStart(8, '0')}`,
    value,
  };
}

/** The PKCS#11 return code of an error thrown by pkcs11js, if it carries one. */
export function pkcs11ReturnCode(error: unknown): Pkcs11ReturnCode | undefined {
  if (error instanceof loadPkcs11().Pkcs11Error && typeof error.code === 'number') {
    return describeReturnCode(error.code);
  }
  return undefined;
}

export interface HsmErrorOptions extends ErrorOptions {
  returnCode?: Pkcs11ReturnCode | undefined;
  hint?: string | undefined;
}

export class HsmError extends ByokError {
  readonly returnCode: Pkcs11ReturnCode | undefined;

  constructor(message: string, options: HsmErrorOptions = {}) {
    const code = options.returnCode;
    super(code ? `${message} (${code.name} ${code.hex})` : message, options);
    this.name = 'HsmError';
    this.returnCode = code;
  }
}

export class HsmConfigError extends HsmError {
  constructor(message: string, options: HsmErrorOptions = {}) {
    super(message, options);
    this.name = 'HsmConfigError';
  }
}

export class HsmLibraryNotFoundError extends HsmError {
  readonly library: string;
  constructor(library: string, options: HsmErrorOptions = {}) {
    super(`PKCS#11 library ${library} could not be loaded`, {
      hint: 'Check the library path in the HSM configuration (for SoftHSM2 install softhsm2, for NSS libnss3).',
      ...options,
    });
    this.name = 'HsmLibraryNotFoundError';
    this.library = library;
  }
}

export class HsmTokenNotFoundError extends HsmError {
  readonly tokenLabel: string;
  constructor(tokenLabel: string, available: string[], options: HsmErrorOptions = {}) {
    super(
      `no token labelled "${tokenLabel}" (tokens present: ${available.length > 0 ? available.map((l) => `"${l}"`).join(', ') : 'none'})`,
      {
        hint: 'Tokens are found by label, never by slot number; check tokenLabel in the HSM configuration.',
        ...options,
      },
    );
    this.name = 'HsmTokenNotFoundError';
    this.tokenLabel = tokenLabel;
  }
}

export class HsmLoginError extends HsmError {
  readonly tokenLabel: string;
  constructor(tokenLabel: string, options: HsmErrorOptions = {}) {
    super(`login to token "${tokenLabel}" failed`, {
      hint: 'Check the PIN (BYOK_PIN, BYOK_PIN_FILE, BYOK_PIN_SECRET_ARN or the pinFile of the HSM configuration).',
      ...options,
    });
    this.name = 'HsmLoginError';
    this.tokenLabel = tokenLabel;
  }
}

export class HsmPinUnavailableError extends HsmError {
  constructor(message: string, options: HsmErrorOptions = {}) {
    super(message, options);
    this.name = 'HsmPinUnavailableError';
  }
}

export class HsmKeyNotFoundError extends HsmError {
  readonly label: string;
  readonly tokenLabel: string;
  constructor(label: string, tokenLabel: string, options: HsmErrorOptions = {}) {
    super(`no key labelled "${label}" in token "${tokenLabel}"`, {
      hint: 'List the keys with `byok hsm list`; create one with `byok hsm create-key`.',
      ...options,
    });
    this.name = 'HsmKeyNotFoundError';
    this.label = label;
    this.tokenLabel = tokenLabel;
  }
}

export class HsmKeyAlreadyExistsError extends HsmError {
  readonly label: string;
  readonly tokenLabel: string;
  constructor(label: string, tokenLabel: string, options: HsmErrorOptions = {}) {
    super(`a key labelled "${label}" already exists in token "${tokenLabel}"`, {
      hint: 'Labels identify keys: pick another label.',
      ...options,
    });
    this.name = 'HsmKeyAlreadyExistsError';
    this.label = label;
    this.tokenLabel = tokenLabel;
  }
}

export class HsmKeyNotSensitiveError extends HsmError {
  readonly label: string;
  constructor(label: string, tokenLabel: string, options: HsmErrorOptions = {}) {
    super(
      `key "${label}" in token "${tokenLabel}" is not sensitive (CKA_SENSITIVE is false); refusing to wrap it`,
      {
        hint: 'A master copy must be CKA_SENSITIVE=true; create or import the key again with `byok hsm`.',
        ...options,
      },
    );
    this.name = 'HsmKeyNotSensitiveError';
    this.label = label;
  }
}

export class HsmKeyNotExtractableError extends HsmError {
  readonly label: string;
  constructor(label: string, tokenLabel: string, options: HsmErrorOptions = {}) {
    super(
      `key "${label}" in token "${tokenLabel}" is not extractable (CKA_EXTRACTABLE is false); it cannot be wrapped`,
      {
        hint: 'Only a key created with CKA_EXTRACTABLE=true can be wrapped for import into KMS.',
        ...options,
      },
    );
    this.name = 'HsmKeyNotExtractableError';
    this.label = label;
  }
}

export class HsmKeyTypeMismatchError extends HsmError {
  readonly label: string;
  constructor(message: string, label: string, options: HsmErrorOptions = {}) {
    super(message, {
      hint: "byok hsm list shows each key's type; the KMS key spec decides which type it needs (SYMMETRIC_DEFAULT needs AES_256).",
      ...options,
    });
    this.name = 'HsmKeyTypeMismatchError';
    this.label = label;
  }
}

export class HsmMechanismNotSupportedError extends HsmError {
  readonly mechanism: string;
  constructor(mechanism: string, tokenLabel: string, options: HsmErrorOptions = {}) {
    super(`token "${tokenLabel}" does not support ${mechanism}`, {
      hint: '`byok hsm list --capabilities` shows what this token can do.',
      ...options,
    });
    this.name = 'HsmMechanismNotSupportedError';
    this.mechanism = mechanism;
  }
}

export class HsmInvalidKeyMaterialError extends HsmError {
  constructor(message: string, options: HsmErrorOptions = {}) {
    super(message, {
      hint: 'AES_256: 32 raw bytes. HMAC_n: raw bytes, at least the digest length. RSA and EC: a PKCS#8 private key, DER or PEM.',
      ...options,
    });
    this.name = 'HsmInvalidKeyMaterialError';
  }
}

/** A key label that is empty, too long, or carries characters that could forge terminal output. */
export class HsmInvalidKeyLabelError extends HsmError {
  constructor(message: string, options: HsmErrorOptions = {}) {
    super(message, {
      hint: 'A key label is 1 to 128 printable characters (no control or bidirectional characters).',
      ...options,
    });
    this.name = 'HsmInvalidKeyLabelError';
  }
}

/** A key file for `byok hsm import-key` that group or others can access. */
export class HsmKeyFileExposedError extends HsmError {
  constructor(message: string, options: HsmErrorOptions = {}) {
    super(message, options);
    this.name = 'HsmKeyFileExposedError';
  }
}

/** A key file for `byok hsm import-key` that is a link, a FIFO, a device or a directory. */
export class HsmKeyFileRefusedError extends HsmError {
  constructor(message: string, options: HsmErrorOptions = {}) {
    super(message, options);
    this.name = 'HsmKeyFileRefusedError';
  }
}

export class HsmInvalidWrappingKeyError extends HsmError {
  constructor(message: string, options: HsmErrorOptions = {}) {
    super(message, {
      hint: 'Pass the PublicKey from GetParametersForImport (a DER SubjectPublicKeyInfo of an RSA key).',
      ...options,
    });
    this.name = 'HsmInvalidWrappingKeyError';
  }
}

export class HsmTokenSetupError extends HsmError {
  constructor(message: string, options: HsmErrorOptions = {}) {
    super(message, options);
    this.name = 'HsmTokenSetupError';
  }
}

/** The token cannot produce this algorithm in-token (for this key). */
export class WrappingAlgorithmUnavailableError extends HsmError {
  readonly algorithm: string | undefined;
  readonly available: readonly string[];
  constructor(
    message: string,
    algorithm: string | undefined,
    available: readonly string[],
    options: HsmErrorOptions = {},
  ) {
    super(message, options);
    this.name = 'WrappingAlgorithmUnavailableError';
    this.algorithm = algorithm;
    this.available = available;
  }
}

/** KMS does not accept this wrapping algorithm (and wrapping key spec) for this key spec. */
export class WrappingAlgorithmNotAllowedError extends HsmError {
  readonly algorithm: string;
  readonly keySpec: string;
  constructor(message: string, algorithm: string, keySpec: string, options: HsmErrorOptions = {}) {
    super(message, options);
    this.name = 'WrappingAlgorithmNotAllowedError';
    this.algorithm = algorithm;
    this.keySpec = keySpec;
  }
}

/** An algorithm byok refuses outright (RSAES_PKCS1_V1_5, SM2PKE) or does not know. */
export class UnsupportedWrappingAlgorithmError extends HsmError {
  readonly algorithm: string;
  constructor(message: string, algorithm: string, options: HsmErrorOptions = {}) {
    super(message, options);
    this.name = 'UnsupportedWrappingAlgorithmError';
    this.algorithm = algorithm;
  }
}

/**
 * The HSM could not be reached or its session broke (device error, session closed, token not
 * present): worth retrying. The state machine retries WrapKeyMaterial on this name.
 */
export class HsmUnavailableError extends ByokError {
  readonly returnCode: string | undefined;
  constructor(message: string, returnCode: string | undefined, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HsmUnavailableError';
    this.returnCode = returnCode;
  }
}
