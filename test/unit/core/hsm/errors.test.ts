import pkcs11js from 'pkcs11js';
import { describe, expect, it } from 'vitest';
import {
  describeReturnCode,
  HsmError,
  HsmKeyNotExtractableError,
  HsmMechanismNotSupportedError,
  WrappingAlgorithmUnavailableError,
} from '../../../../src/core/hsm/errors.ts';
import { mapPkcs11Error } from '../../../../src/core/hsm/pkcs11/session.ts';

function pkcs11Failure(name: string, code: number): Error {
  return new pkcs11js.Pkcs11Error(`${name}:${code}`, code, 'C_WrapKey');
}

const context = { doing: 'wrapping key "k" with RSAES_OAEP_SHA_256', tokenLabel: 'tok', label: 'k' };

describe('mapPkcs11Error', () => {
  it.each([
    ['CKR_MECHANISM_INVALID', 0x70, HsmMechanismNotSupportedError],
    ['CKR_MECHANISM_PARAM_INVALID', 0x71, HsmMechanismNotSupportedError],
    ['CKR_ARGUMENTS_BAD', 0x7, HsmMechanismNotSupportedError],
    ['CKR_KEY_UNEXTRACTABLE', 0x6a, HsmKeyNotExtractableError],
    ['CKR_DATA_LEN_RANGE', 0x21, WrappingAlgorithmUnavailableError],
    ['CKR_DEVICE_ERROR', 0x30, HsmError],
  ])('maps %s to a named error carrying the code', (name, code, errorClass) => {
    // Act
    const mapped = mapPkcs11Error(pkcs11Failure(name, code), context);

    // Assess
    expect(mapped).toBeInstanceOf(errorClass);
    expect(mapped.returnCode).toEqual(describeReturnCode(code));
    expect(mapped.returnCode?.name).toBe(name);
    expect(mapped.message).toContain(`(${name} 0x${code.toString(16).toUpperCase().padStart(8, '0')})`);
  });

  it('keeps the original error as the cause', () => {
    // Prepare
    const original = pkcs11Failure('CKR_MECHANISM_INVALID', 0x70);

    // Act
    const mapped = mapPkcs11Error(original, context);

    // Assess
    expect(mapped.cause).toBe(original);
    expect(mapped.name).toBe('HsmMechanismNotSupportedError');
  });
});

describe('HsmError', () => {
  it('names itself after its class and carries a hint', () => {
    // Act
    const error = new HsmError('something failed', { hint: 'do this' });

    // Assess
    expect(error.name).toBe('HsmError');
    expect(error.hint).toBe('do this');
    expect(error.message).toBe('something failed');
  });
});
