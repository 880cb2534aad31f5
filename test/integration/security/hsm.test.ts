// Security review, HSM adapter on a real NSS token: the ephemeral AES key of RSA_AES_KEY_WRAP and the
// KMS public key object are destroyed on the error paths too (a token fault injected into either
// C_WrapKey), and a refused login names the token, never the PIN, anywhere in the error.
import { generateKeyPairSync } from 'node:crypto';
import { inspect } from 'node:util';
import pkcs11js from 'pkcs11js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HsmError, HsmLoginError } from '../../../src/core/hsm/errors.ts';
import { openHsm } from '../../../src/core/hsm/pkcs11-adapter.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';

const wrappingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wrappingPublicKey = new Uint8Array(wrappingKey.publicKey.export({ format: 'der', type: 'spki' }));

describe('HSM adapter on a real NSS token', () => {
  let token: TestToken;

  beforeAll(async () => {
    token = await createTestToken('nss', { keys: [{ label: 'payments', type: 'AES_256' }] });
  });
  afterAll(async () => {
    await token?.cleanup();
  });

  function sessionObjects(): pkcs11js.Handle[] {
    const { pkcs11, session } = token.hsm?.unsafeRawAccess() ?? ({} as never);
    pkcs11.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_TOKEN, value: false }]);
    const found = pkcs11.C_FindObjects(session, 16);
    pkcs11.C_FindObjectsFinal(session);
    return found;
  }

  it.each([
    ['the OAEP wrap of the ephemeral key', 1],
    ['the RFC 5649 wrap of the target key', 2],
  ])('destroys the ephemeral AES key and the public key when %s fails', async (_which, failingCall) => {
    // Prepare
    const hsm = token.hsm;
    if (!hsm) throw new Error('token not open');
    await hsm.wrappingAlgorithms('AES_256'); // the self-test runs first, unfaulted
    const { pkcs11 } = hsm.unsafeRawAccess();
    // pkcs11js keeps its wrapped C_* functions as own properties: swap one, put it back after.
    const realWrapKey = pkcs11.C_WrapKey;
    let calls = 0;
    pkcs11.C_WrapKey = ((...args: Parameters<typeof realWrapKey>) => {
      calls += 1;
      if (calls === failingCall) throw new pkcs11js.Pkcs11Error('CKR_DEVICE_ERROR', 0x30, 'C_WrapKey');
      return realWrapKey.apply(pkcs11, args);
    }) as typeof realWrapKey;

    // Act
    const wrapping = hsm.wrapKey({
      label: 'payments',
      algorithm: 'RSA_AES_KEY_WRAP_SHA_256',
      wrappingPublicKey,
    });
    const error = await wrapping
      .catch((caught: unknown) => caught)
      .finally(() => {
        pkcs11.C_WrapKey = realWrapKey;
      });

    // Assess
    expect(calls).toBe(failingCall);
    expect(error).toBeInstanceOf(HsmError);
    expect(sessionObjects()).toHaveLength(0);
    // The handle still works afterwards.
    const { wrappedKeyMaterial } = await hsm.wrapKey({
      label: 'payments',
      algorithm: 'RSA_AES_KEY_WRAP_SHA_256',
      wrappingPublicKey,
    });
    expect(wrappedKeyMaterial.byteLength).toBe(256 + 40);
    expect(sessionObjects()).toHaveLength(0);
  });

  it('refuses a wrong PIN without the PIN in the message, the hint or the cause chain', async () => {
    // Prepare
    const wrongPin = 'not-the-pin-7f3a9c21';

    // Act
    const error = await openHsm(token.config, { pin: wrongPin }).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(HsmLoginError);
    expect((error as HsmLoginError).message).toContain(token.config.tokenLabel);
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(wrongPin);
    expect(JSON.stringify(error)).not.toContain(wrongPin);
  });
});
