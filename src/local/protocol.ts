// The AWS JSON 1.0/1.1 protocols as the local stack speaks them: a service is addressed by the
// `X-Amz-Target: <Prefix>.<Operation>` header, input and output are JSON bodies, and errors are HTTP
// 4xx/5xx with `{"__type": "<ExceptionName>", "message": "..."}`. Real SDK clients and the AWS CLI
// need nothing but an endpoint change to talk to it.
import type { Principal } from './identity.ts';

export const AWS_JSON_1_1 = 'application/x-amz-json-1.1';
export const AWS_JSON_1_0 = 'application/x-amz-json-1.0';

// Exceptions AWS answers with a server-side status; everything else a service raises is a 400.
const STATUS_BY_EXCEPTION: Record<string, number> = {
  KMSInternalException: 500,
  InternalFailure: 500,
  InternalException: 500,
  ServiceUnavailableException: 503,
  DependencyTimeoutException: 503,
  ServiceUnavailable: 503,
};

/** An AWS-shaped error; `message` undefined means AWS sends the body without a message at all. */
export class AwsServiceError extends Error {
  readonly type: string;
  readonly status: number;
  readonly awsMessage: string | undefined;

  constructor(type: string, message?: string, status?: number, options?: ErrorOptions) {
    super(message ?? type, options);
    this.name = 'AwsServiceError';
    this.type = type;
    this.awsMessage = message;
    this.status = status ?? STATUS_BY_EXCEPTION[type] ?? 400;
  }

  toBody(): Record<string, string> {
    return this.awsMessage === undefined
      ? { __type: this.type }
      : { __type: this.type, message: this.awsMessage };
  }
}

/** What a service learns about the request besides its input. */
export interface RequestContext {
  /** Region from the SigV4 credential scope, or the stack's region for unsigned requests. */
  region: string;
  /** The caller's account: from a 12-digit access key id or an STS session, else the stack's own. */
  accountId: string;
  /** Who signed the request (src/local/identity.ts); absent for requests made inside the stack. */
  principal?: Principal | undefined;
  requestId: string;
  /** Aborted when the client goes away before the answer is written (long polls stop waiting). */
  signal?: AbortSignal | undefined;
  /**
   * Settles once the answer's fate is known: true when it was written out in full, false when the
   * connection closed first (a long poll hands back what it took).
   */
  responded?: Promise<boolean> | undefined;
}

/** A service on the shared port, chosen by the prefix of `X-Amz-Target`. */
export interface LocalService {
  readonly targetPrefix: string;
  readonly contentType: typeof AWS_JSON_1_1 | typeof AWS_JSON_1_0;
  /** Answers one operation; throws AwsServiceError for AWS-shaped failures. */
  handle(operation: string, input: Record<string, unknown>, context: RequestContext): Promise<unknown>;
}

export interface ParsedTarget {
  prefix: string;
  operation: string;
}

export function parseTarget(header: string | undefined): ParsedTarget | undefined {
  if (!header) return undefined;
  const dot = header.lastIndexOf('.');
  if (dot <= 0 || dot === header.length - 1) return undefined;
  return { prefix: header.slice(0, dot), operation: header.slice(dot + 1) };
}

/** `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-west-2/kms/aws4_request, ...` -> `us-west-2`. */
export function regionFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/[^/,\s]+\/aws4_request/.exec(header);
  return match?.[1];
}

export function parseJsonBody(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new AwsServiceError(
      'SerializationException',
      'Start of structure or map found where not expected.',
      400,
      {
        cause: error,
      },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AwsServiceError(
      'SerializationException',
      'Start of structure or map found where not expected.',
    );
  }
  return parsed as Record<string, unknown>;
}

/** Timestamps go over the wire as epoch seconds (with fractions). */
export function toEpochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
