// The AWS SDK's set-up errors (no credentials, no Region) reach the user through reportError with
// a hint on what to do, like byok's own errors.
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

function sdkError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

describe('reportError with AWS SDK set-up errors', () => {
  it('tells how to provide credentials when none are found', () => {
    // Prepare
    const stream = new CapturedStream();

    // Act
    const exitCode = reportError(
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      stream,
    );

    // Assess
    expect(exitCode).toBe(1);
    expect(stream.text).toBe(
      'byok: CredentialsProviderError: Could not load credentials from any providers\n' +
        'hint: configure AWS credentials (aws configure, AWS_PROFILE or an instance role), or pass --endpoint for the local stack\n',
    );
  });

  it.each(['Region is missing', 'Region not accepted: region="" is not a valid hostname component.'])(
    'tells how to give a Region for "%s"',
    (message) => {
      // Prepare
      const stream = new CapturedStream();

      // Act
      reportError(sdkError('Error', message), stream);

      // Assess
      expect(stream.text).toContain(
        'hint: pass --region or set AWS_REGION (or --endpoint for the local stack)\n',
      );
    },
  );

  it('keeps the hint an error carries itself', () => {
    // Prepare
    const stream = new CapturedStream();
    const error = Object.assign(sdkError('CredentialsProviderError', 'no profile'), { hint: 'own hint' });

    // Act
    reportError(error, stream);

    // Assess
    expect(stream.text).toBe('byok: CredentialsProviderError: no profile\nhint: own hint\n');
  });
});
