import { describe, expect, it } from 'vitest';
import {
  UnsupportedWrappingAlgorithmError,
  WrappingAlgorithmNotAllowedError,
  WrappingAlgorithmUnavailableError,
} from '../../../../src/core/hsm/errors.ts';
import { WRAPPING_ALGORITHMS, type WrappingAlgorithm } from '../../../../src/core/hsm/port.ts';
import {
  allowedWrappings,
  chooseWrappingAlgorithm,
  isWrappingAllowed,
} from '../../../../src/core/import/wrapping-algorithms.ts';

const ALL: readonly WrappingAlgorithm[] = WRAPPING_ALGORITHMS;
const SOFTHSM_SECRET: WrappingAlgorithm[] = ['RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_1'];

describe('KMS wrapping rules (recorded GetParametersForImport compatibility checks)', () => {
  it.each([
    // [key spec, algorithm, wrapping key spec, allowed]
    ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_256', 'RSA_2048', true],
    ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSA_3072', true],
    ['SYMMETRIC_DEFAULT', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048', false],
    ['HMAC_256', 'RSAES_OAEP_SHA_256', 'RSA_4096', true],
    ['HMAC_224', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_4096', false],
    ['RSA_2048', 'RSAES_OAEP_SHA_256', 'RSA_2048', false],
    ['RSA_4096', 'RSAES_OAEP_SHA_256', 'RSA_4096', false],
    ['RSA_2048', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048', true],
    ['RSA_4096', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_4096', true],
    ['ECC_NIST_P256', 'RSAES_OAEP_SHA_256', 'RSA_2048', true],
    ['ECC_NIST_P256', 'RSAES_OAEP_SHA_1', 'RSA_2048', true],
    ['ECC_NIST_P521', 'RSAES_OAEP_SHA_256', 'RSA_2048', false],
    ['ECC_NIST_P521', 'RSAES_OAEP_SHA_256', 'RSA_4096', true],
    ['ECC_NIST_P521', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_3072', true],
    ['ECC_NIST_EDWARDS25519', 'RSAES_OAEP_SHA_256', 'RSA_2048', false],
  ] as const)('%s with %s and %s: allowed=%s', (keySpec, algorithm, wrappingKeySpec, allowed) => {
    // Act
    const result = isWrappingAllowed(keySpec, algorithm, wrappingKeySpec);

    // Assess
    expect(result).toBe(allowed);
  });

  it('lists only RSA_AES_KEY_WRAP algorithms for an RSA key', () => {
    // Act
    const allowed = allowedWrappings('RSA_3072').map((w) => w.wrappingAlgorithm);

    // Assess
    expect(allowed).toEqual(['RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1']);
  });
});

describe('chooseWrappingAlgorithm', () => {
  it.each([
    ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_256', 'RSA_4096'],
    ['HMAC_256', 'RSAES_OAEP_SHA_256', 'RSA_4096'],
    ['RSA_2048', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_4096'],
    ['ECC_NIST_P256', 'RSAES_OAEP_SHA_256', 'RSA_4096'],
    ['ECC_NIST_P521', 'RSAES_OAEP_SHA_256', 'RSA_4096'],
  ])(
    'picks SHA-256 and the largest wrapping key for %s on a full token',
    (keySpec, algorithm, wrappingKeySpec) => {
      // Act
      const choice = chooseWrappingAlgorithm(keySpec, ALL);

      // Assess
      expect(choice).toEqual({ wrappingAlgorithm: algorithm, wrappingKeySpec });
    },
  );

  it('falls back to RSA_AES_KEY_WRAP_SHA_256 for an EC key when the token cannot OAEP-wrap private keys', () => {
    // Act
    const choice = chooseWrappingAlgorithm('ECC_NIST_P256', [
      'RSA_AES_KEY_WRAP_SHA_256',
      'RSA_AES_KEY_WRAP_SHA_1',
    ]);

    // Assess
    expect(choice.wrappingAlgorithm).toBe('RSA_AES_KEY_WRAP_SHA_256');
  });

  it('honours a requested wrapping key spec', () => {
    // Act
    const choice = chooseWrappingAlgorithm('SYMMETRIC_DEFAULT', ALL, undefined, 'RSA_2048');

    // Assess
    expect(choice).toEqual({ wrappingAlgorithm: 'RSAES_OAEP_SHA_256', wrappingKeySpec: 'RSA_2048' });
  });

  it('never picks SHA-1 unasked, and names the algorithm to pass', () => {
    // Act
    const act = () => chooseWrappingAlgorithm('SYMMETRIC_DEFAULT', SOFTHSM_SECRET);

    // Assess
    expect(act).toThrow(WrappingAlgorithmUnavailableError);
    expect(act).toThrow(/SHA-256/);
    try {
      act();
    } catch (error) {
      expect((error as WrappingAlgorithmUnavailableError).hint).toContain(
        '--wrapping-algorithm RSAES_OAEP_SHA_1',
      );
    }
  });

  it('uses SHA-1 when the caller names it', () => {
    // Act
    const choice = chooseWrappingAlgorithm('SYMMETRIC_DEFAULT', SOFTHSM_SECRET, 'RSAES_OAEP_SHA_1');

    // Assess
    expect(choice).toEqual({ wrappingAlgorithm: 'RSAES_OAEP_SHA_1', wrappingKeySpec: 'RSA_4096' });
  });

  it('refuses a requested algorithm the token cannot produce, naming what it can', () => {
    // Act
    const act = () => chooseWrappingAlgorithm('HMAC_256', SOFTHSM_SECRET, 'RSAES_OAEP_SHA_256');

    // Assess
    expect(act).toThrow(WrappingAlgorithmUnavailableError);
    try {
      act();
    } catch (error) {
      expect((error as WrappingAlgorithmUnavailableError).hint).toContain('RSAES_OAEP_SHA_1');
    }
  });

  it('refuses a requested algorithm KMS does not allow for the key spec, in KMS words', () => {
    // Act
    const act = () => chooseWrappingAlgorithm('SYMMETRIC_DEFAULT', ALL, 'RSA_AES_KEY_WRAP_SHA_256');

    // Assess
    expect(act).toThrow(WrappingAlgorithmNotAllowedError);
    expect(act).toThrow(
      'Wrapping algorithm RSA_AES_KEY_WRAP_SHA_256 cannot be used to import a SYMMETRIC_DEFAULT key',
    );
  });

  it('refuses OAEP with RSA_2048 for a P-521 key when that wrapping key spec is requested', () => {
    // Act
    const act = () => chooseWrappingAlgorithm('ECC_NIST_P521', ALL, 'RSAES_OAEP_SHA_256', 'RSA_2048');

    // Assess
    expect(act).toThrow(WrappingAlgorithmNotAllowedError);
  });

  it.each(['RSAES_PKCS1_V1_5', 'SM2PKE', 'ROT13'])('refuses %s outright', (algorithm) => {
    // Act
    const act = () => chooseWrappingAlgorithm('SYMMETRIC_DEFAULT', ALL, algorithm);

    // Assess
    expect(act).toThrow(UnsupportedWrappingAlgorithmError);
  });

  it('refuses the SM2 wrapping key spec', () => {
    // Act
    const act = () => chooseWrappingAlgorithm('SYMMETRIC_DEFAULT', ALL, undefined, 'SM2');

    // Assess
    expect(act).toThrow(UnsupportedWrappingAlgorithmError);
  });

  it('says nothing can wrap an RSA key on SoftHSM2, and why', () => {
    // Act
    const act = () => chooseWrappingAlgorithm('RSA_2048', []);

    // Assess
    expect(act).toThrow(WrappingAlgorithmUnavailableError);
    expect(act).toThrow(/no wrapping algorithm both KMS and the HSM token allow for a RSA_2048 key/);
  });
});
