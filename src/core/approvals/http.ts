// The approvals HTTP API, thin: route, parse with the contracts' schemas, call the core, map the
// result or the named error to an HTTP answer whose body names the error. Framework-neutral
// (ApiRequest -> ApiResponse), with two mounts: a Lambda function URL handler (identity from the
// IAM request context) and a node:http listener for local runs (identity from SigV4, the local
// convention). Routes:
//   POST /requests                 {keyId, reason}           201 {request}
//   GET  /requests[?status=S]                                200 {requests}
//   GET  /requests/{id}                                      200 {request}
//   POST /requests/{id}/votes      {decision, reason}        200 {outcome, request}
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { HsmKeyNotBoundError } from '../bindings/errors.ts';
import type { ByokError } from '../shared/errors.ts';
import {
  CreateRequestBodySchema,
  ListQuerySchema,
  parseApprovalInput,
  RequestIdSchema,
  VoteBodySchema,
} from './contracts.ts';
import {
  AmbiguousApproverError,
  ApprovalRequestNotFoundError,
  ApprovalsError,
  ApprovalsRequiredTagInvalidError,
  ApprovalTeamNotConfiguredError,
  DuplicateVoteError,
  InvalidApprovalInputError,
  KeyNotEligibleError,
  NotApprovedError,
  NotATeamMemberError,
  RequestEndedError,
  RequestNotReadyError,
  RequestStateError,
  SelfApprovalError,
  TaskNotificationError,
  UnauthenticatedError,
  VoteContentionError,
} from './errors.ts';
import { type CallerIdentity, identityFromFunctionUrlEvent } from './identity.ts';
import { type LocalIdentityOptions, localIdentityFromSigV4 } from './local-identity.ts';
import {
  type ApprovalsDeps,
  castVote,
  getRequest,
  listRequests,
  memberOf,
  requestRotation,
} from './service.ts';

export interface ApiRequest {
  method: string;
  /** Path relative to the API's root, e.g. /requests/<id>/votes. */
  path: string;
  query: Record<string, string | undefined>;
  body: string | undefined;
  /** Resolved by the mount from what authenticated the request; undefined when nothing did. */
  identity: CallerIdentity | undefined;
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const STATUS_BY_ERROR: Array<[new (...args: never[]) => ByokError, number]> = [
  [InvalidApprovalInputError, 400],
  [KeyNotEligibleError, 400],
  // A rotation of a key whose HSM key no administrator bound to it (the hint: byok bindings add).
  [HsmKeyNotBoundError, 400],
  [ApprovalsRequiredTagInvalidError, 400],
  [UnauthenticatedError, 401],
  [SelfApprovalError, 403],
  [NotATeamMemberError, 403],
  [AmbiguousApproverError, 403],
  [ApprovalTeamNotConfiguredError, 503],
  [NotApprovedError, 403],
  [ApprovalRequestNotFoundError, 404],
  [DuplicateVoteError, 409],
  [RequestEndedError, 409],
  [RequestNotReadyError, 409],
  [RequestStateError, 409],
  [TaskNotificationError, 502],
  [VoteContentionError, 503],
];

function json(statusCode: number, body: unknown): ApiResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

/** A named error's answer: {error, message, hint?}. Anything unexpected is a bare 500. */
function errorResponse(error: unknown): ApiResponse {
  if (error instanceof ApprovalsError || error instanceof HsmKeyNotBoundError) {
    const status = STATUS_BY_ERROR.find(([type]) => error instanceof type)?.[1] ?? 400;
    return json(status, {
      error: error.name,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
    });
  }
  return json(500, { error: 'InternalError', message: 'the approvals API failed; see its logs' });
}

function parseBody(body: string | undefined): unknown {
  if (body === undefined || body.length === 0) return {};
  try {
    return JSON.parse(body);
  } catch {
    throw new InvalidApprovalInputError(['(body): must be JSON']);
  }
}

function requireIdentity(request: ApiRequest): CallerIdentity {
  if (!request.identity) throw new UnauthenticatedError('no identity was resolved for this request');
  return request.identity;
}

export type ApprovalsApi = (request: ApiRequest) => Promise<ApiResponse>;

export function createApprovalsApi(
  deps: ApprovalsDeps,
  options: { onError?: (error: unknown) => void } = {},
): ApprovalsApi {
  return async (request) => {
    try {
      // Every route needs an authenticated caller who is one member of the approval team, reads
      // included: pending requests name people.
      const caller = requireIdentity(request);
      memberOf(deps, caller);
      const segments = request.path.split('/').filter((segment) => segment.length > 0);
      const method = request.method.toUpperCase();
      if (segments[0] !== 'requests' || segments.length > 3) return json(404, { error: 'RouteNotFound' });
      if (segments.length === 1 && method === 'POST') {
        const body = parseApprovalInput(CreateRequestBodySchema, parseBody(request.body));
        return json(201, { request: await requestRotation(deps, caller, body) });
      }
      if (segments.length === 1 && method === 'GET') {
        const query = parseApprovalInput(ListQuerySchema, request.query);
        return json(200, { requests: await listRequests(deps, query) });
      }
      const requestId = parseApprovalInput(RequestIdSchema, segments[1]);
      if (segments.length === 2 && method === 'GET') {
        return json(200, { request: await getRequest(deps, requestId) });
      }
      if (segments.length === 3 && segments[2] === 'votes' && method === 'POST') {
        const body = parseApprovalInput(VoteBodySchema, parseBody(request.body));
        return json(200, await castVote(deps, caller, requestId, body));
      }
      return json(405, { error: 'MethodNotAllowed' });
    } catch (error) {
      if (!(error instanceof ApprovalsError)) options.onError?.(error);
      return errorResponse(error);
    }
  };
}

/** Mount as a Lambda function URL (AuthType AWS_IAM) or HTTP API (IAM auth) handler. */
export function functionUrlHandler(
  api: ApprovalsApi,
): (event: LambdaFunctionURLEvent) => Promise<ApiResponse> {
  return async (event) => {
    let identity: CallerIdentity | undefined;
    try {
      identity = identityFromFunctionUrlEvent(event);
    } catch (error) {
      return errorResponse(error);
    }
    const body =
      event.body === undefined
        ? undefined
        : event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString()
          : event.body;
    return api({
      method: event.requestContext.http.method,
      path: event.rawPath,
      query: event.queryStringParameters ?? {},
      body,
      identity,
    });
  };
}

const MAX_LOCAL_BODY_BYTES = 64 * 1024;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_LOCAL_BODY_BYTES) throw new InvalidApprovalInputError(['(body): larger than 64 KiB']);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Mount on a local node:http server: identity from the SigV4 header (local convention), paths
 * under `basePath` (default the root).
 */
export function localHttpListener(
  api: ApprovalsApi,
  options: LocalIdentityOptions & { basePath?: string },
): (request: IncomingMessage, response: ServerResponse) => void {
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  return (request, response) => {
    const answer = async (): Promise<ApiResponse> => {
      const url = new URL(request.url ?? '/', 'http://local');
      if (!url.pathname.startsWith(`${basePath}/`)) return json(404, { error: 'RouteNotFound' });
      const body = await readBody(request);
      const query = Object.fromEntries(url.searchParams);
      const identity = await localIdentityFromSigV4(
        { method: request.method ?? 'GET', path: url.pathname, query, headers: request.headers, body },
        options,
      );
      return api({
        method: request.method ?? 'GET',
        path: url.pathname.slice(basePath.length),
        query,
        body: body.toString('utf8'),
        identity,
      });
    };
    answer()
      .catch((error: unknown) => errorResponse(error))
      .then((result) => {
        response.writeHead(result.statusCode, result.headers);
        response.end(result.body);
      });
  };
}
