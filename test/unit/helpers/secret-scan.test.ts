import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { expectNoSecret, findSecret } from '../../helpers/secret-scan.ts';

// Starts with bytes whose base64 ("++++") and base64url ("----") differ, so the encodings are told apart.
const secret = Buffer.concat([Buffer.from([0xfb, 0xef, 0xbe]), randomBytes(45)]);

describe('findSecret', () => {
  it.each([
    ['hex', secret.toString('hex')],
    ['HEX', secret.toString('hex').toUpperCase()],
    ['base64', secret.toString('base64')],
    ['base64url', secret.toString('base64url')],
    ['spaced-hex', inspect(secret)],
    [
      'decimal-list',
      inspect(new Uint8Array(secret), { maxArrayLength: 1000, breakLength: Number.POSITIVE_INFINITY }),
    ],
  ])('finds the whole secret as %s', (encoding, encoded) => {
    // Act
    const finding = findSecret(`log line: ${encoded} end`, secret);

    // Assess
    expect(finding?.encoding).toBe(encoding);
  });

  it.each([0, 1, 2, 5, 17])(
    'finds a 20-byte piece at byte offset %i in base64 of any alignment',
    (offset) => {
      // Prepare
      const piece = secret.subarray(offset, offset + 20);

      // Act
      const finding = findSecret(`{"blob":"${piece.toString('base64')}"}`, secret);

      // Assess
      expect(finding).toBeDefined();
    },
  );

  it('finds a 16-byte hex piece from the middle', () => {
    // Act
    const finding = findSecret(secret.subarray(20, 36).toString('hex'), secret);

    // Assess
    expect(finding).toMatchObject({ encoding: 'hex', byteOffset: 20 });
  });

  it('honours a smaller minBytes', () => {
    // Act
    const finding = findSecret(`id=${secret.subarray(30, 35).toString('hex')}`, secret, { minBytes: 5 });

    // Assess
    expect(finding).toEqual({ encoding: 'hex', byteOffset: 30, bytes: 5 });
  });

  it('finds a piece buried in a megabyte of other encoded data', () => {
    // Prepare
    const noise = randomBytes(400_000).toString('base64');
    const text = `${noise}"${secret.subarray(7, 40).toString('base64url')}"${noise}`;

    // Act
    const finding = findSecret(text, secret);

    // Assess
    expect(finding?.encoding).toMatch(/^base64/);
  });

  it('does not flag unrelated data or pieces shorter than the threshold', () => {
    // Prepare
    const unrelated = randomBytes(256);

    // Act
    const findings = [
      findSecret(unrelated.toString('hex') + unrelated.toString('base64'), secret),
      findSecret(secret.subarray(0, 8).toString('hex'), secret),
    ];

    // Assess
    expect(findings).toEqual([undefined, undefined]);
  });
});

describe('expectNoSecret', () => {
  it('throws naming the encoding but not the secret', () => {
    // Act
    let message = '';
    try {
      expectNoSecret(`x${secret.toString('base64url')}`, secret, 'stderr');
    } catch (error) {
      message = (error as Error).message;
    }

    // Assess
    expect(message).toMatch(/^stderr contains the secret as base64url/);
    expect(findSecret(message, secret)).toBeUndefined();
  });
});
