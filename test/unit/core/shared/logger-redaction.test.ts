// The handlers' logger is the last line of defence if a byte buffer ever reaches a log call: the
// bytes must not come out in any encoding, wherever the buffer sits (a field, an error's cause
// chain, a nested object). Checked through the real Powertools logger, not the replacer alone:
// JSON.stringify calls Buffer#toJSON before the replacer sees the value.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../../src/core/shared/logger.ts';
import { collectingLogger } from '../../../helpers/logger.ts';
import { expectNoSecret } from '../../../helpers/secret-scan.ts';

describe('handler logger redaction', () => {
  it('never prints the bytes of a Buffer, in a field or in an error cause chain', () => {
    // Prepare
    const secret = randomBytes(32);
    const { logger, lines } = collectingLogger();
    const inner = Object.assign(new Error('token refused the key'), { data: secret, value: secret });
    const outer = new Error('wrapping failed', { cause: inner });

    // Act
    logger.info('a buffer in a field', { bytes: secret, nested: { deeper: [secret] } });
    logger.error('an error whose cause carries bytes', outer);
    logger.error('the same error as a field', { error: outer });

    // Assess
    const text = lines.join('');
    expect(lines).toHaveLength(3);
    expect(text).toContain('"bytes":"[32 bytes]"');
    expect(text).toContain('"message":"token refused the key"');
    expectNoSecret(text, secret, 'handler logs');
  });

  it('replaces typed arrays, ArrayBuffers and DataViews by their length', () => {
    // Prepare
    const secret = randomBytes(24);

    // Act
    const text = JSON.stringify(
      {
        buffer: secret,
        arrayBuffer: secret.buffer.slice(secret.byteOffset, secret.byteOffset + secret.byteLength),
        view: new DataView(secret.buffer, secret.byteOffset, secret.byteLength),
        words: new Uint32Array(secret.buffer, secret.byteOffset, 6),
      },
      redactSecrets,
    );

    // Assess
    expect(JSON.parse(text)).toEqual({
      buffer: '[24 bytes]',
      arrayBuffer: '[24 bytes]',
      view: '[24 bytes]',
      words: '[24 bytes]',
    });
  });

  it('redacts the private members of a JSON Web Key and keeps its public ones', () => {
    // Prepare
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = privateKey.export({ format: 'jwk' });
    const scalar = Buffer.from(jwk.d ?? '', 'base64url');
    const { logger, lines } = collectingLogger();

    // Act
    logger.debug('a key object by mistake', { key: jwk });

    // Assess
    const text = lines.join('');
    expect(text).toContain(`"x":"${jwk.x}"`);
    expect(text).toContain('"d":"[redacted]"');
    expectNoSecret(text, scalar, 'handler logs');
  });
});
