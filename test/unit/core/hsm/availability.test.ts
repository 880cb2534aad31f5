import pkcs11js from 'pkcs11js';
import { describe, expect, it } from 'vitest';
import { classifyHsmError } from '../../../../src/core/hsm/availability.ts';
import {
  describeReturnCode,
  HsmError,
  HsmKeyNotFoundError,
  HsmUnavailableError,
} from '../../../../src/core/hsm/errors.ts';

describe('classifyHsmError', () => {
  it.each([pkcs11js.CKR_DEVICE_ERROR, pkcs11js.CKR_SESSION_HANDLE_INVALID, pkcs11js.CKR_TOKEN_NOT_PRESENT])(
    'turns PKCS#11 return code %s into HsmUnavailableError, keeping the cause',
    (code) => {
      // Prepare
      const original = new HsmError('C_WrapKey failed', { returnCode: describeReturnCode(code) });

      // Act
      const classified = classifyHsmError(original);

      // Assess
      expect(classified).toBeInstanceOf(HsmUnavailableError);
      expect((classified as HsmUnavailableError).name).toBe('HsmUnavailableError');
      expect((classified as HsmUnavailableError).cause).toBe(original);
    },
  );

  it('leaves key and configuration errors under their own names', () => {
    // Prepare
    const notFound = new HsmKeyNotFoundError('payments', 'token');
    const mechanism = new HsmError('no such mechanism', {
      returnCode: describeReturnCode(pkcs11js.CKR_MECHANISM_INVALID),
    });

    // Act
    const classified = [classifyHsmError(notFound), classifyHsmError(mechanism)];

    // Assess
    expect(classified).toEqual([notFound, mechanism]);
  });
});
