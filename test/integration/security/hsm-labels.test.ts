// Security review G6, on a real NSS token: a new key's label must be 1..128 printable characters.
// A label with terminal controls or 5,000 characters is refused by name, quoted escaped and cut
// short in the message, and nothing is created in the token.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HsmInvalidKeyLabelError } from '../../../src/core/hsm/errors.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';

/** C0, DEL, C1 and the bidi embeddings/overrides: what could forge or hide terminal output. */
function isControl(character: string): boolean {
  const codePoint = character.codePointAt(0) ?? 0;
  return (
    codePoint < 0x20 ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    (codePoint >= 0x202a && codePoint <= 0x202e)
  );
}

describe('key labels on a real NSS token', () => {
  let token: TestToken;

  beforeAll(async () => {
    token = await createTestToken('nss');
  });
  afterAll(async () => {
    await token?.cleanup();
  });

  it.each([
    ['terminal controls', 'payments\u001b[2K\rforged line\n'],
    ['a bidirectional override', 'pay\u202eslx.exe'],
    ['5,000 characters', 'a'.repeat(5000)],
    ['nothing', ''],
  ])('refuses a label with %s in create-key and import-key, and creates nothing', async (_what, label) => {
    // Prepare
    const hsm = token.hsm;
    if (!hsm) throw new Error('token not open');
    const material = randomBytes(32);

    // Act
    const created = await hsm.createKey({ label, type: 'AES_256' }).catch((caught: unknown) => caught);
    const imported = await hsm
      .importKey({ label, type: 'AES_256', material })
      .catch((caught: unknown) => caught);

    // Assess
    for (const error of [created, imported]) {
      expect(error).toBeInstanceOf(HsmInvalidKeyLabelError);
      const { message, hint } = error as HsmInvalidKeyLabelError;
      expect([...message].filter(isControl)).toEqual([]);
      expect(message.length).toBeLessThan(200);
      expect(hint).toContain('1 to 128 printable characters');
    }
    expect(await hsm.listKeys()).toEqual([]);
  });

  it('accepts a printable label of 128 characters and refuses 129', async () => {
    // Prepare
    const hsm = token.hsm;
    if (!hsm) throw new Error('token not open');
    const longest = `payments ${'é'.repeat(119)}`;

    // Act
    const info = await hsm.createKey({ label: longest, type: 'AES_256' });
    const tooLong = await hsm
      .createKey({ label: `${longest}x`, type: 'AES_256' })
      .catch((caught: unknown) => caught);

    // Assess
    expect(longest).toHaveLength(128);
    expect(info.label).toBe(longest);
    expect(tooLong).toBeInstanceOf(HsmInvalidKeyLabelError);
    expect((tooLong as Error).message).toContain('129 characters long');
  });
});
