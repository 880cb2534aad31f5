// Acceptance 1: on each real token, every key family is wrapped in the token with every algorithm
// the token supports, unwrapped with node:crypto as KMS would, and shown to be exactly the key.
import {
  createCipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unwrapAsKms } from '../../../src/core/hsm/kms-unwrap.ts';
import type { Hsm, HsmKeyType, WrapKeyInput, WrappingAlgorithm } from '../../../src/core/hsm/port.ts';
import { chooseWrappingAlgorithm } from '../../../src/core/import/wrapping-algorithms.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';
import { expectNoSecret } from '../../helpers/secret-scan.ts';

const FAMILIES = [
  'AES_256',
  'HMAC_256',
  'RSA_2048',
  'ECC_NIST_P256',
] as const satisfies readonly HsmKeyType[];

// What each token can produce in-token, as measured (docs/hsm.md). SoftHSM2: OAEP is SHA-1 only,
// its OAEP cannot wrap private keys, and its RFC 5649 is exact only for multiples of 8 bytes.
const EXPECTED: Record<'nss' | 'softhsm', Record<(typeof FAMILIES)[number], WrappingAlgorithm[]>> = {
  nss: {
    AES_256: ['RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256'],
    HMAC_256: [
      'RSAES_OAEP_SHA_1',
      'RSA_AES_KEY_WRAP_SHA_1',
      'RSAES_OAEP_SHA_256',
      'RSA_AES_KEY_WRAP_SHA_256',
    ],
    RSA_2048: ['RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'],
    ECC_NIST_P256: [
      'RSAES_OAEP_SHA_1',
      'RSA_AES_KEY_WRAP_SHA_1',
      'RSAES_OAEP_SHA_256',
      'RSA_AES_KEY_WRAP_SHA_256',
    ],
  },
  softhsm: {
    AES_256: ['RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_1'],
    HMAC_256: ['RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_1'],
    RSA_2048: [],
    ECC_NIST_P256: [],
  },
};

function knownMaterial(type: (typeof FAMILIES)[number]): { material: Buffer; privateKey?: KeyObject } {
  if (type === 'AES_256' || type === 'HMAC_256') return { material: randomBytes(32) };
  const pair =
    type === 'RSA_2048'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { material: pair.privateKey.export({ format: 'der', type: 'pkcs8' }), privateKey: pair.privateKey };
}

const wrappingKeys = {
  RSA_2048: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  RSA_4096: generateKeyPairSync('rsa', { modulusLength: 4096 }),
};

function spkiOf(keyPair: { publicKey: KeyObject }): Uint8Array {
  return keyPair.publicKey.export({ format: 'der', type: 'spki' });
}

/** Wraps in the token under the wrapping key's public half, then unwraps as KMS does (what KMS gets). */
async function wrapAndUnwrapAsKms(
  hsm: Hsm,
  input: Omit<WrapKeyInput, 'wrappingPublicKey'>,
  wrappingKey: { publicKey: KeyObject; privateKey: KeyObject },
) {
  const { wrappedKeyMaterial } = await hsm.wrapKey({ ...input, wrappingPublicKey: spkiOf(wrappingKey) });
  const unwrapped = unwrapAsKms({
    algorithm: input.algorithm,
    wrappingPrivateKey: wrappingKey.privateKey,
    wrappedKeyMaterial,
  });
  return { wrappedKeyMaterial, unwrapped };
}

describe.each(['nss', 'softhsm'] as const)('in-token wrapping on %s', (kind) => {
  let token: TestToken;
  const imported = new Map<string, { material: Buffer; privateKey?: KeyObject }>();

  beforeAll(async () => {
    token = await createTestToken(kind);
    for (const type of FAMILIES) {
      const known = knownMaterial(type);
      imported.set(type, known);
      await token.hsm?.importKey({ label: `imported-${type}`, type, material: known.material });
      await token.hsm?.createKey({ label: `generated-${type}`, type });
    }
  });

  afterAll(async () => {
    await token?.cleanup();
  });

  it.each(FAMILIES)('reports the measured algorithms for %s', async (type) => {
    // Act
    const algorithms = await token.hsm?.wrappingAlgorithms(type);

    // Assess
    expect(algorithms).toEqual(EXPECTED[kind][type]);
  });

  const cases = FAMILIES.flatMap((type) => EXPECTED[kind][type].map((algorithm) => ({ type, algorithm })));

  it.each(cases)(
    'wraps imported $type with $algorithm to exactly the known material',
    async ({ type, algorithm }) => {
      // Prepare
      const hsm = token.hsm;
      if (!hsm) throw new Error('token not open');
      const known = imported.get(type);
      if (!known) throw new Error('no known material');
      const wrappingKey = type === 'RSA_2048' ? wrappingKeys.RSA_4096 : wrappingKeys.RSA_2048;

      // Act
      const { wrappedKeyMaterial, unwrapped } = await wrapAndUnwrapAsKms(
        hsm,
        { label: `imported-${type}`, algorithm },
        wrappingKey,
      );

      // Assess
      if (known.privateKey) {
        // The token re-encodes PKCS#8 its own way; the key inside must be the same, with no extra bytes.
        const parsed = createPrivateKey({ key: unwrapped, format: 'der', type: 'pkcs8' });
        expect(parsed.export({ format: 'jwk' })).toEqual(known.privateKey.export({ format: 'jwk' }));
        expect(derLength(unwrapped)).toBe(unwrapped.length);
      } else {
        expect(unwrapped.length).toBe(known.material.length);
        expect(unwrapped.equals(known.material)).toBe(true);
      }
      expectNoSecret(Buffer.from(wrappedKeyMaterial).toString('hex'), known.material, 'wrapped material');
    },
  );

  it('leaves no session object behind: the ephemeral AES key and the KMS public key are destroyed', async () => {
    // Prepare
    const hsm = token.hsm;
    if (!hsm) throw new Error('token not open');
    const { pkcs11, session } = hsm.unsafeRawAccess();
    const algorithm = EXPECTED[kind].AES_256.includes('RSA_AES_KEY_WRAP_SHA_256')
      ? 'RSA_AES_KEY_WRAP_SHA_256'
      : 'RSA_AES_KEY_WRAP_SHA_1';

    // Act
    await hsm.wrapKey({
      label: 'imported-AES_256',
      algorithm,
      wrappingPublicKey: spkiOf(wrappingKeys.RSA_2048),
    });
    pkcs11.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_TOKEN, value: false }]);
    const left = pkcs11.C_FindObjects(session, 16);
    pkcs11.C_FindObjectsFinal(session);

    // Assess
    expect(left).toHaveLength(0);
  });

  it.each(cases)(
    'wraps generated $type with $algorithm to the key its evidence describes',
    async ({ type, algorithm }) => {
      // Prepare
      const hsm = token.hsm;
      if (!hsm) throw new Error('token not open');
      const wrappingKey = wrappingKeys.RSA_4096;
      const label = `generated-${type}`;

      // Act
      const evidence = await hsm.evidence(label);
      const { unwrapped } = await wrapAndUnwrapAsKms(hsm, { label, algorithm }, wrappingKey);

      // Assess
      if (evidence.kind === 'aes-kcv') {
        const cipher = createCipheriv('aes-256-ecb', unwrapped, null).setAutoPadding(false);
        expect(cipher.update(Buffer.alloc(16)).toString('hex')).toBe(evidence.block);
        expect(unwrapped.length).toBe(32);
      } else if (evidence.kind === 'hmac') {
        expect(unwrapped.length).toBe(evidence.keyLength);
        expect(createHmac('sha256', unwrapped).update(evidence.challenge).digest()).toEqual(
          Buffer.from(evidence.mac),
        );
      } else {
        const derived = createPublicKey(createPrivateKey({ key: unwrapped, format: 'der', type: 'pkcs8' }));
        expect(Buffer.from(derived.export({ format: 'der', type: 'spki' }))).toEqual(
          Buffer.from(evidence.spki),
        );
        expect(derLength(unwrapped)).toBe(unwrapped.length);
      }
    },
  );
});

// The other key types byok handles, each imported with known material and wrapped with the
// algorithm byok would choose for its KMS key spec (SHA-1 named on SoftHSM2, which has no SHA-256).
const OTHER_TYPES: Array<{
  type: HsmKeyType;
  keySpec: string;
  material: () => Buffer;
  tokens: Array<'nss' | 'softhsm'>;
}> = [
  { type: 'HMAC_224', keySpec: 'HMAC_224', material: () => randomBytes(28), tokens: ['nss', 'softhsm'] },
  { type: 'HMAC_384', keySpec: 'HMAC_384', material: () => randomBytes(48), tokens: ['nss', 'softhsm'] },
  { type: 'HMAC_512', keySpec: 'HMAC_512', material: () => randomBytes(64), tokens: ['nss', 'softhsm'] },
  {
    type: 'ECC_NIST_P384',
    keySpec: 'ECC_NIST_P384',
    material: () => pkcs8('ec', 'secp384r1'),
    tokens: ['nss'],
  },
  {
    type: 'ECC_NIST_P521',
    keySpec: 'ECC_NIST_P521',
    material: () => pkcs8('ec', 'secp521r1'),
    tokens: ['nss'],
  },
  { type: 'RSA_3072', keySpec: 'RSA_3072', material: () => pkcs8('rsa', 3072), tokens: ['nss'] },
  // Migration files often come as PEM.
  {
    type: 'ECC_NIST_P256',
    keySpec: 'ECC_NIST_P256',
    material: () => pem('ec', 'prime256v1'),
    tokens: ['nss'],
  },
];

function pem(kind: 'ec' | 'rsa', parameter: string): Buffer {
  const der = pkcs8(kind, parameter);
  const body = der.toString('base64').replace(/.{64}/g, '$&\n');
  return Buffer.from(`-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`);
}

function pkcs8(kind: 'ec' | 'rsa', parameter: string | number): Buffer {
  const pair =
    kind === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: String(parameter) })
      : generateKeyPairSync('rsa', { modulusLength: Number(parameter) });
  return pair.privateKey.export({ format: 'der', type: 'pkcs8' });
}

describe.each(['nss', 'softhsm'] as const)('other key types on %s', (kind) => {
  let token: TestToken;

  beforeAll(async () => {
    token = await createTestToken(kind);
  });

  afterAll(async () => {
    await token?.cleanup();
  });

  it.each(OTHER_TYPES.filter((other) => other.tokens.includes(kind)))(
    'wraps $type with the algorithm chosen for its key spec, byte for byte',
    async ({ type, keySpec, material }) => {
      // Prepare
      const hsm = token.hsm;
      if (!hsm) throw new Error('token not open');
      const known = material();
      await hsm.importKey({ label: type, type, material: known });
      const requested = kind === 'softhsm' ? 'RSAES_OAEP_SHA_1' : undefined;
      const choice = chooseWrappingAlgorithm(keySpec, await hsm.wrappingAlgorithms(type), requested);
      const wrappingKey = wrappingKeys[choice.wrappingKeySpec === 'RSA_4096' ? 'RSA_4096' : 'RSA_2048'];

      // Act
      const { unwrapped } = await wrapAndUnwrapAsKms(
        hsm,
        { label: type, algorithm: choice.wrappingAlgorithm, expectedKeyType: type },
        wrappingKey,
      );

      // Assess
      if (type.startsWith('HMAC_')) {
        expect(unwrapped.equals(known)).toBe(true);
      } else {
        const original = known.toString('latin1').startsWith('-----BEGIN')
          ? createPrivateKey({ key: known.toString('utf8'), format: 'pem' })
          : createPrivateKey({ key: known, format: 'der', type: 'pkcs8' });
        const parsed = createPrivateKey({ key: unwrapped, format: 'der', type: 'pkcs8' });
        expect(parsed.export({ format: 'jwk' })).toEqual(original.export({ format: 'jwk' }));
        expect(derLength(unwrapped)).toBe(unwrapped.length);
      }
      expect(choice.wrappingAlgorithm).toBe(
        kind === 'softhsm'
          ? 'RSAES_OAEP_SHA_1'
          : type.startsWith('RSA_')
            ? 'RSA_AES_KEY_WRAP_SHA_256'
            : 'RSAES_OAEP_SHA_256',
      );
    },
  );
});

/** Total length a DER SEQUENCE declares for itself: trailing bytes beyond it would be padding. */
function derLength(der: Buffer): number {
  const first = der[1] ?? 0;
  if (first < 0x80) return 2 + first;
  const octets = first & 0x7f;
  let length = 0;
  for (let i = 0; i < octets; i += 1) length = length * 256 + (der[2 + i] ?? 0);
  return 2 + octets + length;
}
