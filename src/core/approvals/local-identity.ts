// The local convention for approval identities: the caller is whoever the SigV4 Authorization
// header's access key id says, as arn:aws:iam::<account>:user/<access key id>. The local stack
// holds no credentials, so by default it checks everything about the signature except the
// signature itself: the header's form, the credential scope against X-Amz-Date, the date within
// 15 minutes of real time, that host and x-amz-date are signed and present, and a declared payload
// hash against the body. Given a secret for the access key id (secretFor), it also recomputes the
// signature with the SDK's own signer and refuses a mismatch. Without one, anyone who can reach
// the loopback port can claim any access key id: fine for tests and demos, never for real duties.
import { createHash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { UnauthenticatedError } from './errors.ts';
import type { CallerIdentity } from './identity.ts';
import { NodeSha256 } from './sha256.ts';

const LOCAL_MAX_CLOCK_SKEW_MS = 15 * 60_000;
const ACCESS_KEY_ID_PATTERN = /^[A-Za-z0-9+=,.@_-]{1,64}$/;
const AUTHORIZATION_PATTERN =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE_PATTERN = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export interface LocalSignedRequest {
  method: string;
  /** The path as sent, without the query string. */
  path: string;
  query: Record<string, string | string[] | undefined>;
  /** Header names in lower case (as node:http gives them). */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface LocalIdentityOptions {
  accountId: string;
  /** Real time (the caller signed with its wall clock, not the stack's virtual one). */
  now?: () => Date;
  /** A known secret access key for an access key id: then the signature itself is verified. */
  secretFor?: ((accessKeyId: string) => string | undefined) | undefined;
  /**
   * The principal an access key id stands for (the local stand-in for AWS's credentials: e.g. an
   * Identity Center session, from the team file's localAccessKeys); default the IAM user named
   * after the access key id.
   */
  principalFor?: ((accessKeyId: string) => string | undefined) | undefined;
}

function header(request: LocalSignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseAmzDate(value: string): Date | undefined {
  const match = AMZ_DATE_PATTERN.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  return new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h ?? 0, mi ?? 0, s ?? 0));
}

export async function localIdentityFromSigV4(
  request: LocalSignedRequest,
  options: LocalIdentityOptions,
): Promise<CallerIdentity> {
  const authorization = header(request, 'authorization');
  if (!authorization) throw new UnauthenticatedError('no SigV4 Authorization header');
  const match = AUTHORIZATION_PATTERN.exec(authorization.trim());
  if (!match) throw new UnauthenticatedError('the Authorization header is not an AWS4-HMAC-SHA256 signature');
  const [, accessKeyId = '', scopeDate, region = '', service = '', signedHeaderList = '', signature] = match;
  if (!ACCESS_KEY_ID_PATTERN.test(accessKeyId))
    throw new UnauthenticatedError('the access key id is malformed');
  const signedHeaders = signedHeaderList.split(';');
  for (const required of ['host', 'x-amz-date']) {
    if (!signedHeaders.includes(required)) throw new UnauthenticatedError(`${required} is not signed`);
  }
  for (const name of signedHeaders) {
    if (header(request, name) === undefined)
      throw new UnauthenticatedError(`signed header ${name} is missing`);
  }
  const amzDate = header(request, 'x-amz-date') ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt || amzDate.slice(0, 8) !== scopeDate) {
    throw new UnauthenticatedError('X-Amz-Date does not match the credential scope');
  }
  const now = (options.now ?? (() => new Date()))();
  if (Math.abs(now.getTime() - signedAt.getTime()) > LOCAL_MAX_CLOCK_SKEW_MS) {
    throw new UnauthenticatedError('the signature is more than 15 minutes from the current time');
  }
  const declaredHash = header(request, 'x-amz-content-sha256');
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  if (declaredHash !== undefined && declaredHash !== bodyHash) {
    throw new UnauthenticatedError('x-amz-content-sha256 does not match the body');
  }
  const secret = options.secretFor?.(accessKeyId);
  if (secret !== undefined) {
    const expected = await recomputeSignature(request, {
      accessKeyId,
      secret,
      region,
      service,
      signedHeaders,
      signedAt,
    });
    if (expected !== signature) throw new UnauthenticatedError('the signature does not match');
  }
  return {
    arn: options.principalFor?.(accessKeyId) ?? `arn:aws:iam::${options.accountId}:user/${accessKeyId}`,
    source: 'local-sigv4',
    signatureVerified: secret !== undefined,
  };
}

async function recomputeSignature(
  request: LocalSignedRequest,
  context: {
    accessKeyId: string;
    secret: string;
    region: string;
    service: string;
    signedHeaders: string[];
    signedAt: Date;
  },
): Promise<string | undefined> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: context.accessKeyId, secretAccessKey: context.secret },
    region: context.region,
    service: context.service,
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const headers: Record<string, string> = {};
  for (const name of context.signedHeaders) headers[name] = header(request, name) ?? '';
  const host = header(request, 'host') ?? '';
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.query)) if (value !== undefined) query[name] = value;
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: host.replace(/:\d+$/, ''),
      // As sent (already percent-encoded): the signer encodes it once more, as SigV4 does for
      // every service but S3, and as the client's signer did.
      path: request.path,
      query,
      headers,
      body: request.body,
    },
    {
      signingDate: context.signedAt,
      signableHeaders: new Set(context.signedHeaders),
      unsignableHeaders: new Set(
        Object.keys(headers).filter((name) => !context.signedHeaders.includes(name)),
      ),
    },
  );
  const authorization = signed.headers.authorization ?? signed.headers.Authorization ?? '';
  return /Signature=([0-9a-f]{64})$/.exec(authorization)?.[1];
}
