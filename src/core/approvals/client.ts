// A client for the approvals API that signs every request with SigV4, so the API learns who is
// calling from the credentials alone (deployed: AWS checks the signature at the function URL or API
// Gateway; locally: the access key id names the caller). What the CLI's rotate/approvals/approve/
// reject commands call. A refusal comes back as ApprovalsApiError carrying the API's error name.
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { ApprovalRequestView, Decision, RequestStatus } from './contracts.ts';
import { ApprovalsError } from './errors.ts';
import type { VoteOutcome } from './service.ts';
import { NodeSha256 } from './sha256.ts';

export interface ApprovalsClientOptions {
  /** The API's base URL: a function URL, an API Gateway stage URL, or the local mount. */
  endpoint: string;
  region: string;
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** SigV4 service name: `lambda` for a function URL (default), `execute-api` for API Gateway. */
  service?: 'lambda' | 'execute-api';
  /** How long one call may wait for its answer (default 30 s): an API that never answers is an error. */
  timeoutMs?: number;
}

/** The API refused the call; `code` is its error name (e.g. SelfApprovalError), `status` the HTTP status. */
export class ApprovalsApiError extends ApprovalsError {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string, options?: ErrorOptions & { hint?: string }) {
    super(message, options);
    this.name = 'ApprovalsApiError';
    this.code = code;
    this.status = status;
  }
}

export class ApprovalsClient {
  private readonly base: URL;
  private readonly signer: SignatureV4;
  private readonly timeoutMs: number;

  constructor(options: ApprovalsClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.base = new URL(options.endpoint.endsWith('/') ? options.endpoint : `${options.endpoint}/`);
    this.signer = new SignatureV4({
      credentials: options.credentials,
      region: options.region,
      service: options.service ?? 'lambda',
      sha256: NodeSha256,
    });
  }

  requestRotation(input: { keyId: string; reason: string }): Promise<{ request: ApprovalRequestView }> {
    return this.call('POST', 'requests', input);
  }

  listRequests(filter: { status?: RequestStatus } = {}): Promise<{ requests: ApprovalRequestView[] }> {
    return this.call('GET', 'requests', undefined, filter.status ? { status: filter.status } : {});
  }

  getRequest(requestId: string): Promise<{ request: ApprovalRequestView }> {
    return this.call('GET', `requests/${encodeURIComponent(requestId)}`);
  }

  vote(
    requestId: string,
    input: { decision: Decision; reason: string },
  ): Promise<{ outcome: VoteOutcome; request: ApprovalRequestView }> {
    return this.call('POST', `requests/${encodeURIComponent(requestId)}/votes`, input);
  }

  private async call<T>(
    method: 'GET' | 'POST',
    relativePath: string,
    body?: unknown,
    query: Record<string, string> = {},
  ): Promise<T> {
    const url = new URL(relativePath, this.base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const signed = await this.signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: {
        host: url.host,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body: payload }),
    });
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    const response = await fetch(url, {
      method,
      signal: AbortSignal.timeout(this.timeoutMs),
      headers: signed.headers,
      ...(payload === undefined ? {} : { body: payload }),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : {};
    } catch {
      parsed = {};
    }
    if (!response.ok) {
      const answer = parsed as { error?: string; message?: string; hint?: string };
      throw new ApprovalsApiError(
        answer.error ?? `HTTP${response.status}`,
        response.status,
        answer.message ?? `the approvals API answered HTTP ${response.status}`,
        answer.hint ? { hint: answer.hint } : undefined,
      );
    }
    return parsed as T;
  }
}
