// createLogger's stream: Powertools' JSON lines written where the caller says (a CLI's stderr, a
// test's collector), children included, through Powertools' public extension points only.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../../src/core/shared/logger.ts';

function collector() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, lines };
}

describe('createLogger with a stream', () => {
  it('writes one JSON line per entry to the stream and nothing to stdout', () => {
    // Prepare
    const { stream, lines } = collector();
    const stdout = vi.spyOn(process.stdout, 'write');
    const logger = createLogger({ serviceName: 'probe', logLevel: 'DEBUG', stream });

    // Act
    logger.info('hello', { keyId: 'k-1', pin: '1234' });
    logger.debug('details');

    // Assess
    expect(stdout).not.toHaveBeenCalled();
    stdout.mockRestore();
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    const first = JSON.parse(lines[0] as string);
    expect(first).toMatchObject({ level: 'INFO', message: 'hello', service: 'probe', keyId: 'k-1' });
    expect(first.pin).toBe('[redacted]');
  });

  it('keeps the stream, the level and the redaction in a child logger', () => {
    // Prepare
    const { stream, lines } = collector();
    const child = createLogger({ logLevel: 'WARN', stream }).createChild({ persistentKeys: { run: 'r-1' } });

    // Act
    child.info('below the level');
    child.warn('child', { secretValue: 'x' });

    // Assess
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      message: 'child',
      run: 'r-1',
      secretValue: '[redacted]',
    });
  });

  it("sets no private field of Powertools' Logger", () => {
    // Prepare
    const source = readFileSync(new URL('../../../../src/core/shared/logger.ts', import.meta.url), 'utf8');

    // Assess
    expect(source).not.toMatch(/Reflect\.set|\['console'\]|\.console\s*=/);
  });
});
