// Security review G4, on a real NSS token: the PIN that opened a handle is not a property of the
// handle, so util.inspect, JSON.stringify and object spreads of the handle never show it. A handle
// whose session was lost still logs in again on its own.
import { readFile } from 'node:fs/promises';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';

describe('Pkcs11Hsm keeps its PIN out of sight', () => {
  let token: TestToken;
  let pin: string;

  beforeAll(async () => {
    token = await createTestToken('nss', { keys: [{ label: 'payments', type: 'AES_256' }] });
    if (!token.config.pinFile) throw new Error('the local token has no PIN file');
    pin = (await readFile(token.config.pinFile, 'utf8')).trim();
  });
  afterAll(async () => {
    await token?.cleanup();
  });

  it('is absent from util.inspect, JSON.stringify and the own properties of the handle', () => {
    // Prepare
    const hsm = token.hsm;
    if (!hsm) throw new Error('token not open');
    expect(pin.length).toBeGreaterThanOrEqual(8);

    // Act
    const inspected = inspect(hsm, { depth: 10, showHidden: true, getters: true });
    const json = JSON.stringify(hsm);
    const ownValues = Object.values(Object.getOwnPropertyDescriptors(hsm)).map((descriptor) =>
      String(descriptor.value),
    );

    // Assess
    expect(inspected).toContain(token.config.tokenLabel);
    expect(inspected).not.toContain(pin);
    expect(json).not.toContain(pin);
    expect(ownValues).not.toContain(pin);
  });

  it('still logs in again after the token dropped the session', async () => {
    // Prepare
    const hsm = token.hsm;
    if (!hsm) throw new Error('token not open');
    const { pkcs11, session } = hsm.unsafeRawAccess();
    pkcs11.C_CloseAllSessions(pkcs11.C_GetSessionInfo(session).slotID);

    // Act: the first call finds the session gone and drops it; the next opens and logs in anew.
    const first = await hsm.describeKey('payments').catch((caught: unknown) => caught);
    const info = await hsm.describeKey('payments');

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(info.label).toBe('payments');
    expect(info.sensitive).toBe(true);
  });
});
