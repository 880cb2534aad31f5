// reportError for errors that come without a message (an AWS service error answered with an empty
// body gets the SDK's placeholder message `UnknownError`) and for errors that carry detail lines.
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

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('reportError', () => {
  it.each([
    ['an empty message', ''],
    ["the SDK's placeholder UnknownError", 'UnknownError'],
  ])('prints the name alone for %s', (_what, message) => {
    // Prepare
    const stream = new CapturedStream();

    // Act
    reportError(named('KMSInternalException', message), stream);

    // Assess
    expect(stream.text).toBe('byok: KMSInternalException\n');
  });

  it('prints detail lines between the error line and the hint', () => {
    // Prepare
    const stream = new CapturedStream();
    const error = Object.assign(named('HsmKeyNotFoundError', 'no key labelled "x"'), {
      details: [
        'also: the failure event was not published (EventBridge.InternalException)',
        'key k: unchanged',
      ],
      hint: 'run byok hsm list',
    });

    // Act
    reportError(error, stream);

    // Assess
    expect(stream.text).toBe(
      'byok: HsmKeyNotFoundError: no key labelled "x"\n' +
        'byok: also: the failure event was not published (EventBridge.InternalException)\n' +
        'byok: key k: unchanged\n' +
        'hint: run byok hsm list\n',
    );
  });
});
