// Issue 17 item 7: raw network failures become named errors with hints, and the local stack needs
// no secret key for the SigV4 identity.
import { describe, expect, it } from 'vitest';
import { localIdentityOnly } from '../../../../src/onprem/cli/approvals-client.ts';
import { ConnectionRefusedError, UnknownHostError } from '../../../../src/onprem/cli/errors.ts';
import { namedNetworkError, reportError } from '../../../../src/onprem/cli/report-error.ts';

function errno(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

function printed(error: unknown): string {
  let text = '';
  reportError(error, {
    write: (chunk: string) => {
      text += chunk;
      return true;
    },
  } as NodeJS.WritableStream);
  return text;
}

describe('named network errors', () => {
  it('turns ECONNREFUSED, also as the cause of fetch failed, into ConnectionRefusedError with a hint', () => {
    // Prepare
    const refused = errno('connect ECONNREFUSED 127.0.0.1:4599', {
      code: 'ECONNREFUSED',
      address: '127.0.0.1',
      port: 4599,
    });
    const fetchFailed = new TypeError('fetch failed', { cause: refused });

    // Act
    const named = namedNetworkError(fetchFailed);
    const text = printed(fetchFailed);

    // Assess
    expect(named).toBeInstanceOf(ConnectionRefusedError);
    expect(text).toBe(
      'byok: ConnectionRefusedError: nothing answers at 127.0.0.1:4599 (connection refused)\n' +
        'hint: start the local stack with `byok local up` (it prints its URL), or check --endpoint\n',
    );
  });

  it('turns ENOTFOUND into UnknownHostError naming the host', () => {
    // Prepare
    const notFound = errno('getaddrinfo ENOTFOUND kms.nowhere.example', {
      code: 'ENOTFOUND',
      hostname: 'kms.nowhere.example',
    });

    // Act
    const text = printed(notFound);

    // Assess
    expect(namedNetworkError(notFound)).toBeInstanceOf(UnknownHostError);
    expect(text).toContain('byok: UnknownHostError: the host kms.nowhere.example cannot be found\n');
    expect(text).toContain('hint: check the host name in --endpoint');
  });

  it('leaves other errors alone', () => {
    expect(namedNetworkError(new Error('boom'))).toBeUndefined();
  });
});

describe('the local identity without a secret key', () => {
  it('signs locally with the access key id alone, never against AWS, with --profile or with a secret', () => {
    const local = 'http://127.0.0.1:40000';
    expect(localIdentityOnly(local, undefined, { AWS_ACCESS_KEY_ID: 'alice' })).toEqual({
      accessKeyId: 'alice',
      secretAccessKey: expect.any(String),
    });
    expect(localIdentityOnly(undefined, undefined, { AWS_ACCESS_KEY_ID: 'alice' })).toBeUndefined();
    expect(localIdentityOnly(local, 'prod', { AWS_ACCESS_KEY_ID: 'alice' })).toBeUndefined();
    expect(
      localIdentityOnly(local, undefined, { AWS_ACCESS_KEY_ID: 'alice', AWS_SECRET_ACCESS_KEY: 's' }),
    ).toBeUndefined();
    expect(localIdentityOnly(local, undefined, {})).toBeUndefined();
  });
});
