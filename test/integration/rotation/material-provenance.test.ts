// Issue 22 item 2 on both software tokens: CreateRotationMaterial reuses a key under the rotation's
// label only when the token proves this request made it inside the token (CKA_LOCAL, always
// sensitive, the CKA_ID bound to the request); a key planted there with known plaintext, or made
// for another purpose, stops the rotation with RotationMaterialNotProvenError. Measured (see
// docs/rotation.md): SoftHSM2 reports CKA_LOCAL for generated keys; NSS softoken reports CKA_LOCAL
// false even for keys it generated (and CKA_ALWAYS_SENSITIVE true beside CKA_SENSITIVE false), so
// on NSS no existing key is ever reused.
import { createCipheriv, randomUUID } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pkcs11Hsm } from '../../../src/core/hsm/pkcs11-adapter.ts';
import type { RotationPlan } from '../../../src/core/rotation/contracts.ts';
import { RotationMaterialNotProvenError } from '../../../src/core/rotation/errors.ts';
import { createRotationMaterial } from '../../../src/core/rotation/hsm-material.ts';
import { rotationHsmKeyId } from '../../../src/core/rotation/material-provenance.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';

let token: TestToken | undefined;

afterEach(async () => {
  await token?.cleanup();
  token = undefined;
});

function planFor(requestId: string, label: string): RotationPlan {
  return {
    requestId,
    keyArn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
    requester: 'arn:aws:iam::111122223333:user/requester',
    reason: 'rotate',
    deadline: '2026-12-10T00:00:00.000Z',
    approvalsRequired: 1,
    approvalTimeoutSeconds: 3600,
    currentHsmKeyLabel: 'payments',
    newHsmKeyLabel: label,
    sequence: 2,
    oldKeyMaterialId: 'a'.repeat(64),
    replicaArns: [],
    probe: { ciphertext: 'AAAA', plaintextSha256: '0'.repeat(64) },
  };
}

function kcvOf(material: Buffer): string {
  const cipher = createCipheriv('aes-256-ecb', material, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.alloc(16)), cipher.final()])
    .toString('hex')
    .slice(0, 6);
}

async function open(kind: 'softhsm' | 'nss'): Promise<Pkcs11Hsm> {
  token = await createTestToken(kind);
  if (!token.hsm) throw new Error('the token is not open');
  return token.hsm;
}

describe.each(['softhsm', 'nss'] as const)('rotation material on %s', (kind) => {
  it('makes a new key bound to the request (CKA_ID) and returns its check value', async () => {
    // Prepare
    const hsm = await open(kind);
    const requestId = randomUUID();
    const label = `payments-r2-${requestId.slice(0, 8)}`;

    // Act
    const material = await createRotationMaterial(planFor(requestId, label), { hsm });
    const info = await hsm.describeKey(label);

    // Assess
    expect(material).toMatchObject({ hsmKeyLabel: label, hsmKeyType: 'AES_256' });
    expect(material.checkValue).toMatch(/^[0-9a-f]{6}$/);
    expect(info.id).toBe(rotationHsmKeyId(requestId));
    expect(info).toMatchObject({ sensitive: true, alwaysSensitive: true, local: kind === 'softhsm' });
  });

  it('refuses a key planted under the label with known plaintext (imported: not CKA_LOCAL)', async () => {
    // Prepare
    const hsm = await open(kind);
    const requestId = randomUUID();
    const label = `payments-r2-${requestId.slice(0, 8)}`;
    const known = Buffer.alloc(32, 0x42);
    await hsm.importKey({ label, type: 'AES_256', material: known });

    // Act
    const act = createRotationMaterial(planFor(requestId, label), { hsm });

    // Assess
    await expect(act).rejects.toThrow(RotationMaterialNotProvenError);
    await expect(act).rejects.not.toThrow(kcvOf(known));
  });

  it('refuses a key generated under the label for another purpose (its CKA_ID is not the request)', async () => {
    // Prepare
    const hsm = await open(kind);
    const requestId = randomUUID();
    const label = `payments-r2-${requestId.slice(0, 8)}`;
    await hsm.createKey({ label, type: 'AES_256' });

    // Act
    const act = createRotationMaterial(planFor(requestId, label), { hsm });

    // Assess
    await expect(act).rejects.toThrow(RotationMaterialNotProvenError);
  });

  it('refuses a key that was readable before it was made sensitive, even with the bound CKA_ID', async () => {
    // Prepare: generated non-sensitive (its value read), then made sensitive, with the request's id.
    const hsm = await open(kind);
    const requestId = randomUUID();
    const label = `payments-r2-${requestId.slice(0, 8)}`;
    const { pkcs11, session } = hsm.unsafeRawAccess();
    const handle = pkcs11.C_GenerateKey(session, { mechanism: pkcs11js.CKM_AES_KEY_GEN }, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_SECRET_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_AES },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_LABEL, value: label },
      { type: pkcs11js.CKA_ID, value: Buffer.from(rotationHsmKeyId(requestId)) },
      { type: pkcs11js.CKA_SENSITIVE, value: false },
      { type: pkcs11js.CKA_EXTRACTABLE, value: true },
      { type: pkcs11js.CKA_ENCRYPT, value: true },
      { type: pkcs11js.CKA_VALUE_LEN, value: 32 },
    ]);
    let read: string;
    try {
      const [value] = pkcs11.C_GetAttributeValue(session, handle, [{ type: pkcs11js.CKA_VALUE }]);
      read = `${(value?.value as Buffer | undefined)?.length} bytes`;
    } catch (error) {
      read = (error as Error).message;
    }
    pkcs11.C_SetAttributeValue(session, handle, [{ type: pkcs11js.CKA_SENSITIVE, value: true }]);

    // Act
    const act = createRotationMaterial(planFor(requestId, label), { hsm });

    // Assess
    // SoftHSM2 hands the value out; NSS never reveals a token secret key's value (measured).
    expect(read).toContain(kind === 'softhsm' ? '32 bytes' : 'CKR_ATTRIBUTE_SENSITIVE');
    await expect(act).rejects.toThrow(RotationMaterialNotProvenError);
  });

  it(`a retry finds the key this request made: ${kind === 'softhsm' ? 'reused' : 'refused (NSS cannot prove it)'}`, async () => {
    // Prepare
    const hsm = await open(kind);
    const requestId = randomUUID();
    const label = `payments-r2-${requestId.slice(0, 8)}`;
    const first = await createRotationMaterial(planFor(requestId, label), { hsm });

    // Act
    const retry = createRotationMaterial(planFor(requestId, label), { hsm });

    // Assess
    if (kind === 'softhsm') await expect(retry).resolves.toEqual(first);
    else await expect(retry).rejects.toThrow(RotationMaterialNotProvenError);
  });
});
