// Which HSM failures are worth retrying. The HSM module names what went wrong with the key or the
// configuration; a broken session or an unreachable device is transient, and the state machine
// retries it once it carries the name HsmUnavailableError.

import { HsmError, HsmUnavailableError } from './errors.ts';

const TRANSIENT_RETURN_CODES = new Set([
  'CKR_DEVICE_ERROR',
  'CKR_DEVICE_MEMORY',
  'CKR_DEVICE_REMOVED',
  'CKR_SESSION_CLOSED',
  'CKR_SESSION_COUNT',
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_CRYPTOKI_NOT_INITIALIZED',
]);

/** The error as the state machine should see it: transient HSM failures become HsmUnavailableError. */
export function classifyHsmError(error: unknown): unknown {
  if (error instanceof HsmError && error.returnCode && TRANSIENT_RETURN_CODES.has(error.returnCode.name)) {
    return new HsmUnavailableError(error.message, error.returnCode.name, { cause: error });
  }
  return error;
}

export async function withHsmAvailability<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw classifyHsmError(error);
  }
}
