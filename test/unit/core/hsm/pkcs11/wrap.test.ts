import { describe, expect, it } from 'vitest';
import type { TokenCapabilities } from '../../../../../src/core/hsm/capabilities.ts';
import { describeReturnCode, HsmLibraryNotFoundError } from '../../../../../src/core/hsm/errors.ts';
import { wrappingAlgorithmsFor } from '../../../../../src/core/hsm/pkcs11/wrap.ts';
import { openHsm } from '../../../../../src/core/hsm/pkcs11-adapter.ts';
import {
  CKM_AES_KEY_WRAP_KWP,
  CKM_AES_KEY_WRAP_PAD,
  PROFILES,
} from '../../../../../src/core/hsm/profiles.ts';

const full: TokenCapabilities = {
  oaepSha1: true,
  oaepSha256: true,
  oaepPrivateKeys: true,
  kwp: { mechanism: CKM_AES_KEY_WRAP_KWP, exactFor: 'all', finding: 'exact' },
  kwpFinding: undefined,
  findings: [],
  failureCodes: {},
};

describe('wrappingAlgorithmsFor (what a token with these measured capabilities can produce)', () => {
  it('offers everything but OAEP for RSA private keys on a complete token', () => {
    // Act
    const rsa = wrappingAlgorithmsFor(full, 'RSA_4096', undefined);
    const ec = wrappingAlgorithmsFor(full, 'ECC_NIST_P384', undefined);

    // Assess
    expect(rsa.algorithms).toEqual(['RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256']);
    expect(rsa.reasons.RSAES_OAEP_SHA_256).toBe('an RSA private key is too long for RSA-OAEP');
    expect(ec.algorithms).toHaveLength(4);
  });

  it('offers only RSA_AES for EC keys when the token cannot OAEP-wrap private keys', () => {
    // Prepare
    const capabilities = { ...full, oaepPrivateKeys: false };

    // Act
    const ec = wrappingAlgorithmsFor(capabilities, 'ECC_NIST_P256', undefined);

    // Assess
    expect(ec.algorithms).toEqual(['RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256']);
  });

  it('offers no RSA_AES at all without an RFC 5649 mechanism, and says why with the code', () => {
    // Prepare
    const capabilities: TokenCapabilities = {
      ...full,
      kwp: undefined,
      kwpFinding: 'mechanism 0x210B: wrap failed: CKR_MECHANISM_INVALID (0x70)',
      failureCodes: { kwp: describeReturnCode(0x70) },
    };

    // Act
    const result = wrappingAlgorithmsFor(capabilities, 'RSA_2048', undefined);

    // Assess
    expect(result.algorithms).toEqual([]);
    expect(result.reasons.RSA_AES_KEY_WRAP_SHA_256).toContain('CKR_MECHANISM_INVALID');
    expect(result.codes.RSA_AES_KEY_WRAP_SHA_256?.name).toBe('CKR_MECHANISM_INVALID');
  });

  it('keeps a padding RFC 5649 only for secret keys whose length is a multiple of 8', () => {
    // Prepare
    const padding: TokenCapabilities = {
      ...full,
      oaepSha256: false,
      kwp: { mechanism: CKM_AES_KEY_WRAP_PAD, exactFor: 'multiple-of-8', finding: '33 came back as 40' },
    };

    // Act
    const hmac256 = wrappingAlgorithmsFor(padding, 'HMAC_256', 32).algorithms;
    const hmac224 = wrappingAlgorithmsFor(padding, 'HMAC_224', 28);
    const ec = wrappingAlgorithmsFor(padding, 'ECC_NIST_P256', undefined);

    // Assess
    expect(hmac256).toEqual(['RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_1']);
    expect(hmac224.algorithms).toEqual(['RSAES_OAEP_SHA_1']);
    expect(hmac224.reasons.RSA_AES_KEY_WRAP_SHA_1).toContain('a 28-byte key is not a multiple of 8');
    expect(ec.reasons.RSA_AES_KEY_WRAP_SHA_1).toContain('PKCS#8');
  });
});

describe('the CloudHSM profile (configuration only here)', () => {
  it('points at the CloudHSM client library and fails clearly where it is not installed', async () => {
    // Prepare
    const profile = PROFILES.cloudhsm;

    // Act
    const act = openHsm(
      { profile: 'cloudhsm', library: profile.library, tokenLabel: profile.defaultTokenLabel },
      { pin: 'crypto-user:password' },
    );

    // Assess
    expect(profile.library).toBe('/opt/cloudhsm/lib/libcloudhsm_pkcs11.so');
    expect(profile.loginFormat).toContain('<CU user name>:<password>');
    await expect(act).rejects.toBeInstanceOf(HsmLibraryNotFoundError);
    await expect(act).rejects.toThrow('/opt/cloudhsm/lib/libcloudhsm_pkcs11.so');
  });
});
