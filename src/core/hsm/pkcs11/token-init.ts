// Initialising a token through PKCS#11 itself (docs/security.md G5): C_InitToken on a free slot with
// the SO PIN, then, logged in as the SO, C_InitPIN with the user PIN. The PINs go from this
// process's memory to the library: never onto a command line (/proc/<pid>/cmdline is readable by
// every local user) and never into a child's environment, as `softhsm2-util --so-pin --pin` did.
import pkcs11js from 'pkcs11js';
import type { HsmConfig } from '../config.ts';
import { HsmError, HsmLibraryNotFoundError, HsmTokenSetupError, pkcs11ReturnCode } from '../errors.ts';
import { acquireModule, type Handle, type Pkcs11 } from './module.ts';
import { findSlotByTokenLabel } from './session.ts';

const { CKF_TOKEN_INITIALIZED, CKF_SERIAL_SESSION, CKF_RW_SESSION, CKU_SO } = pkcs11js;

/** CK_TOKEN_INFO.label is 32 bytes, blank padded; pkcs11js hands C_InitToken the string as it is. */
const LABEL_BYTES = 32;

export interface TokenPins {
  soPin: string;
  pin: string;
}

function paddedLabel(label: string): string {
  const length = Buffer.byteLength(label, 'utf8');
  if (label === '' || length > LABEL_BYTES || label !== label.trim()) {
    throw new HsmTokenSetupError(
      `token label "${label}" is not 1 to ${LABEL_BYTES} bytes without outer blanks`,
    );
  }
  return label + ' '.repeat(LABEL_BYTES - length);
}

function freeSlot(pkcs11: Pkcs11): Handle | undefined {
  return pkcs11
    .C_GetSlotList(true)
    .find((slot) => (pkcs11.C_GetTokenInfo(slot).flags & CKF_TOKEN_INITIALIZED) === 0);
}

/** Runs one PKCS#11 step; a failure names the step and its return code, never an argument. */
function step<T>(name: string, tokenLabel: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof HsmError) throw error;
    throw new HsmTokenSetupError(`${name} failed while initialising token "${tokenLabel}"`, {
      cause: error,
      returnCode: pkcs11ReturnCode(error),
    });
  }
}

/**
 * Initialises a token labelled `config.tokenLabel` in the first free slot of the configuration's
 * library (SoftHSM2 offers one free slot per token directory) and sets its SO and user PINs.
 */
export function initTokenWithPins(config: HsmConfig, pins: TokenPins): void {
  const label = paddedLabel(config.tokenLabel);
  let loaded: ReturnType<typeof acquireModule>;
  try {
    loaded = acquireModule(config);
  } catch (error) {
    if (error instanceof HsmLibraryNotFoundError || !(error instanceof HsmError)) throw error;
    throw new HsmTokenSetupError(`${config.library} could not be initialised for the new token`, {
      cause: error,
      returnCode: error.returnCode,
      hint: 'A PKCS#11 library serves one token database per process: close the open token first, or run `byok hsm init` on its own.',
    });
  }
  const { pkcs11 } = loaded;
  try {
    const slot = step('C_GetSlotList', config.tokenLabel, () => freeSlot(pkcs11));
    if (slot === undefined) {
      throw new HsmTokenSetupError(`${config.library} offers no free slot for token "${config.tokenLabel}"`);
    }
    step('C_InitToken', config.tokenLabel, () => pkcs11.C_InitToken(slot, pins.soPin, label));
    // SoftHSM2 gives the initialised token a new slot id (and a new free slot): find it by label.
    const initialised = step('C_GetSlotList', config.tokenLabel, () =>
      findSlotByTokenLabel(pkcs11, config.tokenLabel),
    );
    const session = step('C_OpenSession', config.tokenLabel, () =>
      pkcs11.C_OpenSession(initialised, CKF_SERIAL_SESSION | CKF_RW_SESSION),
    );
    try {
      step('C_Login (SO)', config.tokenLabel, () => pkcs11.C_Login(session, CKU_SO, pins.soPin));
      step('C_InitPIN', config.tokenLabel, () => pkcs11.C_InitPIN(session, pins.pin));
      step('C_Logout', config.tokenLabel, () => pkcs11.C_Logout(session));
    } finally {
      try {
        pkcs11.C_CloseSession(session);
      } catch {
        // Closing is best effort; the module's next user opens its own session.
      }
    }
  } finally {
    loaded.openHandles -= 1;
  }
}
