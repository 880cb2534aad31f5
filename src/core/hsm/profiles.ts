// Token profiles: where each PKCS#11 library lives and the facts that differ per token (measured,
// see docs/hsm.md). The capability probe still verifies every claim at run time.
import pkcs11js from 'pkcs11js';

export type HsmProfileName = 'softhsm' | 'nss' | 'cloudhsm' | 'custom';

/** RFC 5649 ("AES key wrap with padding") has two mechanism codes in the wild. */
export const CKM_AES_KEY_WRAP_PAD = pkcs11js.CKM_AES_KEY_WRAP_PAD; // 0x210A
export const CKM_AES_KEY_WRAP_KWP = 0x210b; // PKCS#11 v3.0; not exported by pkcs11js 2.1.7

export interface HsmProfile {
  name: HsmProfileName;
  library: string;
  /** Default token label (NSS's is fixed: its key slot's token). */
  defaultTokenLabel: string;
  /** Mechanism codes to try, in order, for RFC 5649; the self-test decides which one is exact. */
  kwpMechanisms: readonly number[];
  /** How the PIN is formed, for documentation and error hints. */
  loginFormat: string;
}

export const PROFILES: Record<HsmProfileName, HsmProfile> = {
  softhsm: {
    name: 'softhsm',
    library: '/usr/lib/softhsm/libsofthsm2.so',
    defaultTokenLabel: 'byok',
    // SoftHSM2 2.6.1 names RFC 5649 0x210A but zero-pads the input first; the self-test catches it.
    kwpMechanisms: [CKM_AES_KEY_WRAP_PAD],
    loginFormat: 'the user PIN',
  },
  nss: {
    name: 'nss',
    library: '/usr/lib/x86_64-linux-gnu/libsoftokn3.so',
    // NSS keeps token objects in its "NSS Certificate DB" token (slot 2 today; we find it by label).
    defaultTokenLabel: 'NSS Certificate DB',
    // On NSS 0x210B is exact RFC 5649; 0x210A is PKCS#7 padding plus RFC 3394.
    kwpMechanisms: [CKM_AES_KEY_WRAP_KWP],
    loginFormat: 'the NSS database password',
  },
  cloudhsm: {
    name: 'cloudhsm',
    library: '/opt/cloudhsm/lib/libcloudhsm_pkcs11.so',
    defaultTokenLabel: 'hsm1',
    kwpMechanisms: [CKM_AES_KEY_WRAP_KWP, CKM_AES_KEY_WRAP_PAD],
    loginFormat: '<CU user name>:<password> (a crypto user of the cluster)',
  },
  custom: {
    name: 'custom',
    library: '',
    defaultTokenLabel: '',
    kwpMechanisms: [CKM_AES_KEY_WRAP_KWP, CKM_AES_KEY_WRAP_PAD],
    loginFormat: 'the user PIN',
  },
};
