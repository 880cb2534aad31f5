import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBindings } from '../../../../src/local/bindings/store.ts';
import { LocalStateCorruptError } from '../../../../src/local/errors.ts';
import { StateStore } from '../../../../src/local/persistence.ts';

const KEY_A = 'arn:aws:kms:us-east-1:111122223333:key/11111111-2222-3333-4444-555555555555';
const KEY_B = 'arn:aws:kms:us-east-1:111122223333:key/99999999-2222-3333-4444-555555555555';
const AT = '2027-01-01T00:00:00.000Z';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'byok-bindings-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeBindingsFile(content: unknown): string {
  StateStore.open(dir);
  const path = join(dir, 'bindings.json');
  writeFileSync(path, JSON.stringify(content));
  chmodSync(path, 0o600);
  return path;
}

describe('LocalBindings (the local stack bindings.json)', () => {
  it('keeps bindings across a restart in an owner-only file, one per label', () => {
    // Prepare
    const first = LocalBindings.open(StateStore.open(dir));

    // Act
    const added = first.add({ hsmKeyLabel: 'payments', keyArn: KEY_A, createdAt: AT });
    const again = first.add({ hsmKeyLabel: 'payments', keyArn: KEY_B, createdAt: AT });
    const reopened = LocalBindings.open(StateStore.open(dir));

    // Assess
    expect(added).toEqual({ added: true });
    expect(again).toEqual({
      added: false,
      existing: { hsmKeyLabel: 'payments', keyArn: KEY_A, createdAt: AT },
    });
    expect(reopened.list()).toEqual([{ hsmKeyLabel: 'payments', keyArn: KEY_A, createdAt: AT }]);
    expect(statSync(join(dir, 'bindings.json')).mode & 0o777).toBe(0o600);
  });

  it('removes a binding only when the key named is the bound one', () => {
    // Prepare
    const bindings = LocalBindings.open(StateStore.open(dir));
    bindings.add({ hsmKeyLabel: 'payments', keyArn: KEY_A, createdAt: AT });

    // Act
    const wrongKey = bindings.remove('payments', KEY_B);
    const rightKey = bindings.remove('payments', KEY_A);

    // Assess
    expect(wrongKey).toEqual({
      removed: false,
      existing: { hsmKeyLabel: 'payments', keyArn: KEY_A, createdAt: AT },
    });
    expect(rightKey).toEqual({ removed: true });
    expect(LocalBindings.open(StateStore.open(dir)).list()).toEqual([]);
  });

  it.each([
    [
      'a label bound twice',
      {
        version: 1,
        bindings: [
          { hsmKeyLabel: 'payments', keyArn: KEY_A, createdAt: AT },
          { hsmKeyLabel: 'payments', keyArn: KEY_B, createdAt: AT },
        ],
      },
      /bindings\.1\.hsmKeyLabel/,
    ],
    [
      'an alias for a key',
      { version: 1, bindings: [{ hsmKeyLabel: 'payments', keyArn: 'alias/payments', createdAt: AT }] },
      /bindings\.0\.keyArn/,
    ],
    [
      'a label with an escape sequence',
      { version: 1, bindings: [{ hsmKeyLabel: 'pay\u001b[2Kments', keyArn: KEY_A, createdAt: AT }] },
      /bindings\.0\.hsmKeyLabel/,
    ],
    [
      'an unknown field',
      { version: 1, bindings: [{ hsmKeyLabel: 'payments', keyArn: KEY_A, createdAt: AT, allowAny: true }] },
      /bindings\.0/,
    ],
  ])('refuses a file with %s as a whole, naming the field, and leaves it as it was', (_, content, field) => {
    // Prepare
    const path = writeBindingsFile(content);
    const before = readFileSync(path, 'utf8');

    // Act
    const opened = (() => {
      try {
        return LocalBindings.open(StateStore.open(dir));
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(opened).toBeInstanceOf(LocalStateCorruptError);
    expect((opened as Error).message).toMatch(field);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });
});
