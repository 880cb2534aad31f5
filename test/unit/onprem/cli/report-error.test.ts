import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { reportError } from '../../../../src/onprem/cli/report-error.ts';

class CapturedStream extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

class ExampleUserError extends Error {
  readonly hint = 'pass --key-id';
  constructor(message: string) {
    super(message);
    this.name = 'ExampleUserError';
  }
}

describe('reportError', () => {
  it('prints the error name, message and hint on one line each, without a stack', () => {
    // Prepare
    const stream = new CapturedStream();
    // Act
    const code = reportError(new ExampleUserError('no key id given'), stream);
    // Assess
    expect(code).toBe(1);
    expect(stream.text).toBe('byok: ExampleUserError: no key id given\nhint: pass --key-id\n');
  });

  it('prints non-Error values as text', () => {
    const stream = new CapturedStream();
    reportError('boom', stream);
    expect(stream.text).toBe('byok: boom\n');
  });
});
