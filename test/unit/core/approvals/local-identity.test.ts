import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { UnauthenticatedError } from '../../../../src/core/approvals/errors.ts';
import {
  type LocalSignedRequest,
  localIdentityFromSigV4,
} from '../../../../src/core/approvals/local-identity.ts';
import { NodeSha256 } from '../../../../src/core/approvals/sha256.ts';

const ACCOUNT = '111122223333';
const BODY = Buffer.from('{"decision":"approve","reason":"ok"}');

async function signedRequest(
  accessKeyId: string,
  secretAccessKey: string,
  signingDate = new Date(),
  path = '/requests/6f1c7b9e-2d7a-4c1e-9a53-0c2f6f1d2e3a/votes',
): Promise<LocalSignedRequest> {
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey },
    region: 'us-east-1',
    service: 'lambda',
    sha256: NodeSha256,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4599,
      path,
      query: { dry: 'no' },
      headers: { host: '127.0.0.1:4599', 'content-type': 'application/json' },
      body: BODY,
    },
    { signingDate },
  );
  const headers = Object.fromEntries(
    Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return { method: 'POST', path: signed.path, query: { dry: 'no' }, headers, body: BODY };
}

describe('localIdentityFromSigV4', () => {
  it('names the caller arn:aws:iam::<account>:user/<access key id> and verifies a known secret', async () => {
    // Prepare
    const request = await signedRequest('alice', 'alice-secret');

    // Act
    const unverified = await localIdentityFromSigV4(request, { accountId: ACCOUNT });
    const verified = await localIdentityFromSigV4(request, {
      accountId: ACCOUNT,
      secretFor: (id) => (id === 'alice' ? 'alice-secret' : undefined),
    });

    // Assess
    expect(unverified).toEqual({
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      source: 'local-sigv4',
      signatureVerified: false,
    });
    expect(verified.signatureVerified).toBe(true);
  });

  it.each([
    {
      name: 'no Authorization header',
      change: (request: LocalSignedRequest) => ({
        ...request,
        headers: { ...request.headers, authorization: undefined },
      }),
      message: 'no SigV4 Authorization header',
    },
    {
      name: 'another scheme',
      change: (request: LocalSignedRequest) => ({
        ...request,
        headers: { ...request.headers, authorization: 'Basic YWxpY2U6eA==' },
      }),
      message: 'not an AWS4-HMAC-SHA256 signature',
    },
    {
      name: 'an X-Amz-Date outside the credential scope',
      change: (request: LocalSignedRequest) => ({
        ...request,
        headers: { ...request.headers, 'x-amz-date': '20200101T000000Z' },
      }),
      message: 'X-Amz-Date does not match the credential scope',
    },
    {
      name: 'a body that does not match the declared payload hash',
      change: (request: LocalSignedRequest) => ({ ...request, body: Buffer.from('{"decision":"reject"}') }),
      message: 'x-amz-content-sha256 does not match the body',
    },
    {
      name: 'a signed header that is missing',
      change: (request: LocalSignedRequest) => ({
        ...request,
        headers: { ...request.headers, 'content-type': undefined },
      }),
      message: 'signed header content-type is missing',
    },
  ])('refuses $name', async ({ change, message }) => {
    // Prepare
    const request = change(await signedRequest('alice', 'alice-secret'));

    // Act
    const error = await localIdentityFromSigV4(request, { accountId: ACCOUNT }).catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect((error as Error).message).toContain(message);
  });

  it('verifies a path with escaped characters as the client signed it (encoded once more)', async () => {
    // Prepare
    const request = await signedRequest(
      'alice',
      'alice-secret',
      new Date(),
      new URL('http://h/requests/a b+c').pathname,
    );

    // Act
    const identity = await localIdentityFromSigV4(request, {
      accountId: ACCOUNT,
      secretFor: () => 'alice-secret',
    });

    // Assess
    expect(request.path).toBe('/requests/a%20b+c');
    expect(identity.signatureVerified).toBe(true);
  });

  it('refuses a signature 16 minutes old and one made with another secret', async () => {
    // Prepare
    const old = await signedRequest('alice', 'alice-secret', new Date(Date.now() - 16 * 60_000));
    const forged = await signedRequest('alice', 'guessed');
    const secretFor = () => 'alice-secret';

    // Act
    const stale = await localIdentityFromSigV4(old, { accountId: ACCOUNT }).catch(
      (caught: unknown) => caught,
    );
    const mismatch = await localIdentityFromSigV4(forged, { accountId: ACCOUNT, secretFor }).catch(
      (caught: unknown) => caught,
    );

    // Assess
    expect((stale as Error).message).toContain('15 minutes');
    expect((mismatch as Error).message).toContain('signature does not match');
  });
});
