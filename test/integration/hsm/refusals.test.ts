// Acceptance 3 and 4 on the real tokens: SoftHSM2's RFC 5649 defect is detected and asymmetric
// wrapping on it fails clearly; every refusal has a named error; no error carries key material.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HsmError,
  HsmInvalidKeyMaterialError,
  HsmInvalidWrappingKeyError,
  HsmKeyAlreadyExistsError,
  HsmKeyNotExtractableError,
  HsmKeyNotFoundError,
  HsmKeyNotSensitiveError,
  HsmKeyTypeMismatchError,
  HsmLibraryNotFoundError,
  HsmLoginError,
  HsmTokenNotFoundError,
  WrappingAlgorithmUnavailableError,
} from '../../../src/core/hsm/errors.ts';
import { aesKeyUnwrapWithPadding, unwrapAsKms } from '../../../src/core/hsm/kms-unwrap.ts';
import { openHsm, type Pkcs11Hsm } from '../../../src/core/hsm/pkcs11-adapter.ts';
import { CKM_AES_KEY_WRAP_PAD } from '../../../src/core/hsm/profiles.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';
import { createRawWrappingKey, findRawKey } from '../../helpers/raw-pkcs11.ts';
import { expectNoSecret } from '../../helpers/secret-scan.ts';

const wrapping = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wrappingPublicKey = wrapping.publicKey.export({ format: 'der', type: 'spki' });

/** Every secret the tests put into a token; every error is scanned for each of them. */
const knownSecrets: Buffer[] = [];
function known(bytes: Buffer): Buffer {
  knownSecrets.push(bytes);
  return bytes;
}

async function refusal(act: () => Promise<unknown>): Promise<HsmError> {
  try {
    await act();
  } catch (error) {
    if (!(error instanceof HsmError)) throw error;
    const rendered = `${error.message}\n${error.hint ?? ''}\n${inspect(error, { depth: 8 })}`;
    for (const secret of knownSecrets) expectNoSecret(rendered, secret, `${error.name}`);
    return error;
  }
  throw new Error('expected a refusal, got success');
}

/** Builds a key byok itself would never create, through the raw session. */
function createRawSecret(hsm: Pkcs11Hsm, label: string, value: Buffer, attributes: pkcs11js.Template): void {
  const { pkcs11, session } = hsm.unsafeRawAccess();
  pkcs11.C_CreateObject(session, [
    { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
    { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
    { type: pkcs11js.CKA_LABEL, value: label },
    { type: pkcs11js.CKA_ID, value: Buffer.from(`raw-${label}`) },
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_PRIVATE, value: true },
    { type: pkcs11js.CKA_VALUE, value },
    ...attributes,
  ]);
}

describe('refusals on NSS softoken', () => {
  let token: TestToken;
  let hsm: Pkcs11Hsm;
  const aesMaterial = known(randomBytes(32));

  beforeAll(async () => {
    token = await createTestToken('nss');
    if (!token.hsm) throw new Error('token not open');
    hsm = token.hsm;
    await hsm.importKey({ label: 'aes', type: 'AES_256', material: aesMaterial });
  });

  afterAll(async () => {
    await token?.cleanup();
  });

  it('names the label and the token when a key is not found', async () => {
    // Act
    const error = await refusal(() =>
      hsm.wrapKey({ label: 'missing', algorithm: 'RSAES_OAEP_SHA_256', wrappingPublicKey }),
    );

    // Assess
    expect(error).toBeInstanceOf(HsmKeyNotFoundError);
    expect(error.message).toBe('no key labelled "missing" in token "NSS Certificate DB"');
    expect(error.hint).toContain('byok hsm list');
  });

  it('refuses to wrap a key that is not sensitive', async () => {
    // Prepare
    createRawSecret(hsm, 'plain', known(randomBytes(32)), [
      { type: pkcs11js.CKA_SENSITIVE, value: false },
      { type: pkcs11js.CKA_EXTRACTABLE, value: true },
    ]);

    // Act
    const error = await refusal(() =>
      hsm.wrapKey({ label: 'plain', algorithm: 'RSAES_OAEP_SHA_256', wrappingPublicKey }),
    );

    // Assess
    expect(error).toBeInstanceOf(HsmKeyNotSensitiveError);
    expect(error.message).toContain('CKA_SENSITIVE is false');
  });

  it('refuses to wrap a non-extractable key that NSS itself would wrap', async () => {
    // Prepare
    const material = known(randomBytes(32));
    createRawSecret(hsm, 'locked', material, [
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    ]);
    const info = await hsm.describeKey('locked');
    // NSS ignores CKA_EXTRACTABLE=false: show it, so the check below is known to matter.
    const nssWrapsIt = (await bypassWrap(hsm, 'locked')).equals(material);

    // Act
    const error = await refusal(() =>
      hsm.wrapKey({ label: 'locked', algorithm: 'RSAES_OAEP_SHA_256', wrappingPublicKey }),
    );

    // Assess
    expect(info.extractable).toBe(false);
    expect(nssWrapsIt).toBe(true);
    expect(error).toBeInstanceOf(HsmKeyNotExtractableError);
  });

  it('refuses a key whose type does not match the KMS key spec', async () => {
    // Act
    const error = await refusal(() =>
      hsm.wrapKey({
        label: 'aes',
        algorithm: 'RSAES_OAEP_SHA_256',
        wrappingPublicKey,
        expectedKeyType: 'HMAC_256',
      }),
    );

    // Assess
    expect(error).toBeInstanceOf(HsmKeyTypeMismatchError);
    expect(error.message).toBe(
      'key "aes" in token "NSS Certificate DB" is AES_256, but the KMS key needs HMAC_256',
    );
  });

  it('refuses a wrong PIN even while another handle of this process is logged in', async () => {
    // Act
    const error = await refusal(() => openHsm(token.config, { pin: 'not-the-pin' }));

    // Assess
    expect(error).toBeInstanceOf(HsmLoginError);
    expect(error.returnCode?.name).toBe('CKR_PIN_INCORRECT');
  });

  it('refuses a wrapping public key that is not RSA', async () => {
    // Prepare
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({
      format: 'der',
      type: 'spki',
    });

    // Act
    const notRsa = await refusal(() =>
      hsm.wrapKey({ label: 'aes', algorithm: 'RSAES_OAEP_SHA_256', wrappingPublicKey: ec }),
    );
    const garbage = await refusal(() =>
      hsm.wrapKey({ label: 'aes', algorithm: 'RSAES_OAEP_SHA_256', wrappingPublicKey: randomBytes(40) }),
    );

    // Assess
    expect(notRsa).toBeInstanceOf(HsmInvalidWrappingKeyError);
    expect(garbage).toBeInstanceOf(HsmInvalidWrappingKeyError);
  });

  it('refuses a duplicate label and material of the wrong kind, without echoing it', async () => {
    // Prepare
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({
      format: 'der',
      type: 'pkcs8',
    });
    known(ecKey);

    // Act
    const duplicate = await refusal(() => hsm.createKey({ label: 'aes', type: 'AES_256' }));
    const wrongKind = await refusal(() => hsm.importKey({ label: 'rsa', type: 'RSA_2048', material: ecKey }));
    const wrongLength = await refusal(() =>
      hsm.importKey({ label: 'short', type: 'AES_256', material: ecKey }),
    );
    const notDer = await refusal(() =>
      hsm.importKey({ label: 'junk', type: 'ECC_NIST_P256', material: known(randomBytes(64)) }),
    );

    // Assess
    expect(duplicate).toBeInstanceOf(HsmKeyAlreadyExistsError);
    expect(wrongKind).toBeInstanceOf(HsmInvalidKeyMaterialError);
    expect(wrongKind.message).toBe('the key file holds a EC prime256v1 key, not RSA_2048');
    expect(wrongLength).toBeInstanceOf(HsmInvalidKeyMaterialError);
    expect(notDer).toBeInstanceOf(HsmInvalidKeyMaterialError);
    await expect(hsm.describeKey('rsa')).rejects.toBeInstanceOf(HsmKeyNotFoundError);
  });

  it("refuses a private key too long for RSA-OAEP under the wrapping key, with the token's code", async () => {
    // Prepare
    await hsm.createKey({ label: 'p521', type: 'ECC_NIST_P521' });

    // Act
    const error = await refusal(() =>
      hsm.wrapKey({ label: 'p521', algorithm: 'RSAES_OAEP_SHA_256', wrappingPublicKey }),
    );

    // Assess
    expect(error).toBeInstanceOf(WrappingAlgorithmUnavailableError);
    expect(error.message).toContain('too long for RSA-OAEP');
    expect(error.returnCode?.name).toMatch(/^CKR_(DATA_LEN_RANGE|KEY_SIZE_RANGE)$/);
  });

  it('names a lost session with its return code, then opens and logs in a new one', async () => {
    // Prepare
    const { pkcs11, session } = hsm.unsafeRawAccess();
    pkcs11.C_CloseSession(session);

    // Act
    const lost = await refusal(() => hsm.describeKey('aes'));
    const info = await hsm.describeKey('aes');
    const evidence = await hsm.evidence('aes');

    // Assess
    expect(lost.returnCode?.name).toBe('CKR_SESSION_HANDLE_INVALID');
    expect(lost.message).toContain('reading key "aes"');
    expect(info.type).toBe('AES_256');
    expect(evidence.kind).toBe('aes-kcv');
  });

  it('names the missing library and the missing token', async () => {
    // Act
    const noLibrary = await refusal(() => openHsm({ ...token.config, library: '/nonexistent/libpkcs11.so' }));
    const notALibrary = await refusal(() => openHsm({ ...token.config, library: '/etc/hostname' }));
    const noToken = await refusal(() => openHsm({ ...token.config, tokenLabel: 'no such token' }));

    // Assess
    expect(noLibrary).toBeInstanceOf(HsmLibraryNotFoundError);
    expect(noLibrary.message).toContain('/nonexistent/libpkcs11.so');
    expect(notALibrary).toBeInstanceOf(HsmLibraryNotFoundError);
    expect(noToken).toBeInstanceOf(HsmTokenNotFoundError);
    expect(noToken.message).toContain('"NSS Certificate DB"');
  });
});

describe('SoftHSM2: the RFC 5649 defect and what it rules out', () => {
  let token: TestToken;
  let hsm: Pkcs11Hsm;
  const hmac224 = known(randomBytes(28));

  beforeAll(async () => {
    token = await createTestToken('softhsm', {
      keys: [
        { label: 'rsa', type: 'RSA_2048' },
        { label: 'ec', type: 'ECC_NIST_P256' },
        { label: 'hmac256', type: 'HMAC_256' },
      ],
    });
    if (!token.hsm) throw new Error('token not open');
    hsm = token.hsm;
    await hsm.importKey({ label: 'hmac224', type: 'HMAC_224', material: hmac224 });
  });

  afterAll(async () => {
    await token?.cleanup();
  });

  it('is real: 0x210A pads a 28-byte key to 32 bytes', async () => {
    // Prepare
    const material = known(randomBytes(28));
    const kek = randomBytes(32);
    const { pkcs11, session } = hsm.unsafeRawAccess();
    const kekHandle = pkcs11.C_CreateObject(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_TOKEN, value: false },
      { type: pkcs11js.CKA_WRAP, value: true },
      { type: pkcs11js.CKA_VALUE, value: kek },
    ]);
    const target = pkcs11.C_CreateObject(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_GENERIC_SECRET },
      { type: pkcs11js.CKA_TOKEN, value: false },
      { type: pkcs11js.CKA_SENSITIVE, value: false },
      { type: pkcs11js.CKA_EXTRACTABLE, value: true },
      { type: pkcs11js.CKA_VALUE, value: material },
    ]);

    // Act
    const wrapped = pkcs11.C_WrapKey(
      session,
      { mechanism: CKM_AES_KEY_WRAP_PAD },
      kekHandle,
      target,
      Buffer.alloc(128),
    );
    const unwrapped = aesKeyUnwrapWithPadding(kek, wrapped);

    // Assess
    expect(unwrapped.length).toBe(32);
    expect(unwrapped.subarray(0, 28).equals(material)).toBe(true);
    expect(unwrapped.subarray(28).equals(Buffer.alloc(4))).toBe(true);
  });

  it('is detected by the self-test, which keeps 0x210A only for multiples of 8 bytes', async () => {
    // Act
    const capabilities = await hsm.tokenCapabilities();

    // Assess
    expect(capabilities.kwp?.mechanism).toBe(CKM_AES_KEY_WRAP_PAD);
    expect(capabilities.kwp?.exactFor).toBe('multiple-of-8');
    expect(capabilities.kwp?.finding).toContain('a 33-byte key came back as 40 bytes (not exact RFC 5649)');
    expect(capabilities.oaepSha256).toBe(false);
  });

  it.each([
    ['rsa', 'RSA_AES_KEY_WRAP_SHA_1', /RFC 5649/],
    ['ec', 'RSA_AES_KEY_WRAP_SHA_1', /RFC 5649/],
    ['ec', 'RSAES_OAEP_SHA_1', /cannot wrap private keys/],
    ['hmac224', 'RSA_AES_KEY_WRAP_SHA_1', /a 28-byte key is not a multiple of 8/],
  ] as const)(
    'refuses to wrap %s with %s instead of producing padded material',
    async (label, algorithm, why) => {
      // Act
      const error = await refusal(() => hsm.wrapKey({ label, algorithm, wrappingPublicKey }));

      // Assess
      expect(error).toBeInstanceOf(WrappingAlgorithmUnavailableError);
      expect(error.message).toMatch(why);
      expect(error.message).toContain('token "byok"');
    },
  );

  it('refuses SHA-256 OAEP with the return code the token gave', async () => {
    // Act
    const error = await refusal(() =>
      hsm.wrapKey({ label: 'hmac256', algorithm: 'RSAES_OAEP_SHA_256', wrappingPublicKey }),
    );

    // Assess
    expect(error).toBeInstanceOf(WrappingAlgorithmUnavailableError);
    expect(error.returnCode?.name).toBe('CKR_ARGUMENTS_BAD');
    expect(error.message).toContain('(CKR_ARGUMENTS_BAD 0x00000007)');
    expect(error.hint).toContain('RSAES_OAEP_SHA_1');
  });

  it('still wraps a 32-byte HMAC key exactly with RSA_AES_KEY_WRAP_SHA_1', async () => {
    // Prepare
    const evidence = await hsm.evidence('hmac256');

    // Act
    const { wrappedKeyMaterial } = await hsm.wrapKey({
      label: 'hmac256',
      algorithm: 'RSA_AES_KEY_WRAP_SHA_1',
      wrappingPublicKey,
    });
    const unwrapped = unwrapAsKms({
      algorithm: 'RSA_AES_KEY_WRAP_SHA_1',
      wrappingPrivateKey: wrapping.privateKey,
      wrappedKeyMaterial,
    });

    // Assess
    expect(evidence.kind === 'hmac' && evidence.keyLength).toBe(32);
    expect(unwrapped.length).toBe(32);
  });

  it('refuses a wrong PIN at the token when nothing else is logged in', async () => {
    // Prepare
    await token.hsm?.close();

    // Act
    const error = await refusal(() => openHsm(token.config, { pin: 'wrong-pin' }));

    // Assess
    expect(error).toBeInstanceOf(HsmLoginError);
    expect(error.returnCode?.name).toBe('CKR_PIN_INCORRECT');
    expect(error.message).toBe('login to token "byok" failed (CKR_PIN_INCORRECT 0x000000A0)');
  });
});

/** What a careless adapter would do on NSS: C_WrapKey without checking CKA_EXTRACTABLE. */
async function bypassWrap(hsm: Pkcs11Hsm, label: string): Promise<Buffer> {
  const raw = hsm.unsafeRawAccess();
  const { pkcs11, session } = raw;
  const handle = findRawKey(raw, label);
  const publicHandle = createRawWrappingKey(raw, wrapping.publicKey);
  const parameter: pkcs11js.RsaOAEP = {
    type: pkcs11js.CK_PARAMS_RSA_OAEP,
    hashAlg: pkcs11js.CKM_SHA256,
    mgf: pkcs11js.CKG_MGF1_SHA256,
    source: 1,
  };
  const wrapped = pkcs11.C_WrapKey(
    session,
    { mechanism: pkcs11js.CKM_RSA_PKCS_OAEP, parameter },
    publicHandle,
    handle,
    Buffer.alloc(256),
  );
  pkcs11.C_DestroyObject(session, publicHandle);
  return unwrapAsKms({
    algorithm: 'RSAES_OAEP_SHA_256',
    wrappingPrivateKey: wrapping.privateKey,
    wrappedKeyMaterial: wrapped,
  });
}
