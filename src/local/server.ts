// One HTTP server for the whole local stack. AWS requests are dispatched by the prefix of
// `X-Amz-Target` to the service registered for it; `/_byok/*` paths are the stack's own admin API
// (clock, faults, quotas, health), never AWS's.
import { randomUUID } from 'node:crypto';

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import type { AddressInfo } from 'node:net';
import { parseDuration, type VirtualClock } from './clock.ts';
import {
  AdminError,
  InvalidDurationError,
  InvalidFaultError,
  InvalidQuotaError,
  LocalListenError,
  VirtualClockError,
} from './errors.ts';
import { type FaultInjector, validateFaults } from './faults.ts';
import {
  accessKeyIdFromAuthorization,
  type LocalIdentities,
  type Principal,
  SessionExpiredError,
  serviceFromAuthorization,
} from './identity.ts';
import { allowedHostsOf, browserRefusal } from './loopback-guard.ts';
import {
  AWS_JSON_1_1,
  AwsServiceError,
  type LocalService,
  parseJsonBody,
  parseTarget,
  regionFromAuthorization,
} from './protocol.ts';
import { type LocalQueryService, QUERY_CONTENT_TYPE, queryError } from './query-protocol.ts';
import type { QuotaSpec, RateLimiter } from './quotas.ts';
import type { LocalS3 } from './s3/service.ts';

const MAX_BODY_BYTES = 1024 * 1024;
/** S3 objects (a fleet report of hundreds of accounts) may be larger than an API request. */
const MAX_S3_BODY_BYTES = 32 * 1024 * 1024;
/**
 * How much of an oversized body is read and dropped before answering 413: closing a connection
 * while the client is still sending makes its kernel see a reset instead of the answer. Beyond
 * this the connection is closed after the answer, best effort.
 */
const MAX_DRAINED_BYTES = 64 * 1024 * 1024;
const TOO_LARGE = Symbol('body too large');

export interface AdminRequest {
  method: string;
  body: Record<string, unknown>;
  query: URLSearchParams;
}
/** Answers an admin path with a JSON-serialisable value (status 200), or throws AdminError. */
export type AdminHandler = (request: AdminRequest) => Promise<unknown> | unknown;

export interface LocalServerOptions {
  region: string;
  accountId: string;
  clock: VirtualClock;
  limiter: RateLimiter;
  faults: FaultInjector;
  /** Who signed a request (accounts from access key ids, STS sessions); without it, the stack's account. */
  identities?: LocalIdentities | undefined;
}

export class LocalServer {
  private readonly services = new Map<string, LocalService>();
  /** Query-protocol services (STS) by SigV4 signing name. */
  private readonly queryServices = new Map<string, LocalQueryService>();
  /** Path-style REST (S3): requests with no X-Amz-Target that are not Query-protocol. */
  private rest: LocalS3 | undefined;
  /** Regions whose requests get no answer at all (the connection is dropped): a Region that is down. */
  private readonly unreachable = new Set<string>();
  private readonly adminRoutes = new Map<string, AdminHandler>();
  private readonly http: Server;
  /**
   * The Host headers served, once listening on loopback: loopback names with the bound port. A web
   * page that rebinds its own name to 127.0.0.1 sends its own name, and is refused. Undefined when
   * bound beyond loopback (`--public-bind`), where clients may use any of the machine's names.
   */
  private allowedHosts: ReadonlySet<string> | undefined;

  constructor(private readonly options: LocalServerOptions) {
    const handle = (request: IncomingMessage, response: ServerResponse) => {
      this.route(request, response).catch((error: unknown) => {
        // Only reached when writing the response itself failed; nothing more can be sent.
        response.destroy(error instanceof Error ? error : undefined);
      });
    };
    this.http = createServer(handle);
    // `Expect: 100-continue` (curl sends it for bodies over 1 MiB): refuse an oversized body before
    // the client sends it, otherwise let it come.
    this.http.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
      const s3 = serviceFromAuthorization(header(request, 'authorization')) === 's3';
      if (Number(request.headers['content-length']) > (s3 ? MAX_S3_BODY_BYTES : MAX_BODY_BYTES)) {
        response.setHeader('connection', 'close');
        sendTooLarge(response);
        return;
      }
      response.writeContinue();
      handle(request, response);
    });
    // SDK clients keep connections alive; with Node's 5 s default the server may close a socket
    // the client is just reusing (ECONNRESET, and local clients do not retry). Idle connections
    // are still closed by close().
    this.http.keepAliveTimeout = 120_000;
    this.addBuiltInAdminRoutes();
  }

  register(service: LocalService): void {
    if (this.services.has(service.targetPrefix)) {
      throw new Error(`a service is already registered for ${service.targetPrefix}`);
    }
    this.services.set(service.targetPrefix, service);
  }

  /** A Query-protocol service (`Action=...` form bodies), chosen by the request's signing name. */
  registerQuery(service: LocalQueryService): void {
    if (this.queryServices.has(service.signingName)) {
      throw new Error(`a query service is already registered for ${service.signingName}`);
    }
    this.queryServices.set(service.signingName, service);
  }

  /** The S3 stand-in, for path-style REST requests. */
  registerRest(service: LocalS3): void {
    this.rest = service;
  }

  /**
   * Regions that answer nothing (the admin path `/_byok/regions` sets them too): `eu-west-3` for
   * every caller, or `<account>/<region>` for that account's callers only (a Region not enabled
   * in one account).
   */
  setUnreachableRegions(regions: readonly string[]): void {
    this.unreachable.clear();
    for (const region of regions) this.unreachable.add(region);
  }

  /** Adds `/_byok/<name>`; services use this for their own admin views. */
  addAdminRoute(name: string, handler: AdminHandler): void {
    this.adminRoutes.set(`/_byok/${name}`, handler);
  }

  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL'
            ? new LocalListenError(host, port, error.code, { cause: error })
            : error,
        );
      });
      this.http.listen(port, host, () => {
        this.http.removeAllListeners('error');
        resolve();
      });
    });
    const address = this.http.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.allowedHosts = allowedHostsOf(this.http);
    return `http://${shownHost}:${address.port}`;
  }

  async close(): Promise<void> {
    if (!this.http.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.http.close((error) => (error ? reject(error) : resolve()));
      this.http.closeAllConnections();
    });
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refusal = this.refusal(request);
    if (refusal) {
      // The body is not read: the connection closes instead of being reused.
      response.setHeader('connection', 'close');
      sendJson(response, 403, AWS_JSON_1_1, { __type: 'AccessDeniedException', message: refusal });
      return;
    }
    const url = new URL(request.url ?? '/', 'http://local');
    const s3 = serviceFromAuthorization(header(request, 'authorization')) === 's3';
    const raw = await readBody(request, s3 ? MAX_S3_BODY_BYTES : MAX_BODY_BYTES).catch(() => undefined);
    if (raw === undefined) {
      // The request broke off while being read; there is no one to answer.
      response.destroy();
      return;
    }
    if (raw === TOO_LARGE) {
      // Answered after the body was read (and dropped), so the client sees the answer, then the
      // connection closes rather than being reused.
      response.setHeader('connection', 'close');
      // Past MAX_DRAINED_BYTES the client is still sending: close once the answer is out.
      if (!request.complete) response.once('finish', () => request.socket.destroy());
      sendTooLarge(response);
      return;
    }
    if (url.pathname.startsWith('/_byok/')) {
      await this.routeAdmin(url, request.method ?? 'GET', raw, response);
      return;
    }
    await this.routeAws(request, raw, response, url);
  }

  /** Why a request is refused before routing (browser, or a Host that is not this server); never echoes it. */
  private refusal(request: IncomingMessage): string | undefined {
    return browserRefusal(request.headers, this.allowedHosts, 'local stack');
  }

  /** The signer of a request, or undefined when the stack serves one account only. */
  private principalOf(authorization: string | undefined): Principal | undefined {
    return this.options.identities?.resolve(accessKeyIdFromAuthorization(authorization));
  }

  private async routeAws(
    request: IncomingMessage,
    raw: string,
    response: ServerResponse,
    url: URL,
  ): Promise<void> {
    const requestId = randomUUID();
    const authorization = header(request, 'authorization');
    const region = regionFromAuthorization(authorization) ?? this.options.region;
    if (this.unreachable.has(region) || this.unreachable.has(`${this.accountOf(authorization)}/${region}`)) {
      // A Region that is down or not reachable answers nothing at all.
      request.socket.destroy();
      return;
    }
    response.setHeader('x-amzn-RequestId', requestId);
    const target = parseTarget(header(request, 'x-amz-target'));
    if (!target) {
      const signingName = serviceFromAuthorization(authorization);
      const query = signingName ? this.queryServices.get(signingName) : undefined;
      if (query) return this.routeQuery(query, request, raw, response, { region, requestId, authorization });
      if (this.rest && (signingName === 's3' || request.method !== 'POST' || url.pathname !== '/')) {
        return this.routeRest(this.rest, request, raw, response, url, { region, requestId, authorization });
      }
    }
    const service = target ? this.services.get(target.prefix) : undefined;
    const contentType = service?.contentType ?? AWS_JSON_1_1;
    try {
      if (request.method !== 'POST' || !target || !service) {
        throw new AwsServiceError('UnknownOperationException');
      }
      const input = parseJsonBody(raw);
      const principal = this.resolvePrincipal(authorization, 'ExpiredTokenException');
      const accountId = principal?.accountId ?? this.options.accountId;
      this.options.limiter.take(target.prefix, target.operation, `${accountId}/${region}`);
      await this.options.faults.apply(target.prefix, target.operation);
      const output = await service.handle(target.operation, input, {
        region,
        accountId,
        principal,
        requestId,
        ...connectionFate(response),
      });
      await this.options.faults.apply(target.prefix, target.operation, 'after');
      sendJson(response, 200, contentType, output ?? {});
    } catch (error) {
      if (error instanceof AwsServiceError) {
        response.setHeader('x-amzn-ErrorType', error.type);
        sendJson(response, error.status, contentType, error.toBody());
        return;
      }
      // A bug in the emulator: answer like AWS's internal error, keep details out of the body.
      process.emitWarning(
        `local stack internal error: ${error instanceof Error ? error.message : String(error)}`,
      );
      sendJson(response, 500, contentType, { __type: 'InternalFailure' });
    }
  }

  /** The caller's account, without failing on an expired session (checked later, by name). */
  private accountOf(authorization: string | undefined): string {
    try {
      return this.principalOf(authorization)?.accountId ?? this.options.accountId;
    } catch {
      return this.options.accountId;
    }
  }

  /** The principal, or the AWS error of an expired session (named as the service names it). */
  private resolvePrincipal(authorization: string | undefined, expiredType: string): Principal | undefined {
    try {
      return this.principalOf(authorization);
    } catch (error) {
      if (error instanceof SessionExpiredError) throw new AwsServiceError(expiredType, error.message, 400);
      throw error;
    }
  }

  private async routeQuery(
    service: LocalQueryService,
    request: IncomingMessage,
    raw: string,
    response: ServerResponse,
    where: { region: string; requestId: string; authorization: string | undefined },
  ): Promise<void> {
    try {
      if (request.method !== 'POST')
        throw new AwsServiceError('InvalidAction', 'the Query protocol takes POST');
      const params = new URLSearchParams(raw);
      const action = params.get('Action');
      if (!action) throw new AwsServiceError('MissingAction', 'Missing Action');
      const principal = this.resolvePrincipal(where.authorization, 'ExpiredToken');
      const accountId = principal?.accountId ?? this.options.accountId;
      this.options.limiter.take(service.signingName, action, `${accountId}/${where.region}`);
      await this.options.faults.apply(service.signingName, action);
      const xml = await service.handle(action, params, {
        region: where.region,
        accountId,
        principal,
        requestId: where.requestId,
      });
      sendText(response, 200, QUERY_CONTENT_TYPE, xml);
    } catch (error) {
      if (!(error instanceof AwsServiceError)) {
        process.emitWarning(
          `local stack internal error: ${error instanceof Error ? error.message : String(error)}`,
        );
        sendText(
          response,
          500,
          QUERY_CONTENT_TYPE,
          queryError('InternalFailure', undefined, where.requestId, 500),
        );
        return;
      }
      sendText(
        response,
        error.status,
        QUERY_CONTENT_TYPE,
        queryError(error.type, error.awsMessage, where.requestId, error.status),
      );
    }
  }

  private async routeRest(
    service: LocalS3,
    request: IncomingMessage,
    raw: string,
    response: ServerResponse,
    url: URL,
    where: { region: string; requestId: string; authorization: string | undefined },
  ): Promise<void> {
    let principal: Principal | undefined;
    try {
      principal = this.principalOf(where.authorization);
    } catch {
      sendText(
        response,
        400,
        'application/xml',
        '<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>',
      );
      return;
    }
    const headers: Record<string, string | undefined> = {};
    for (const name of Object.keys(request.headers)) headers[name] = header(request, name);
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      sendText(
        response,
        400,
        'application/xml',
        "<Error><Code>InvalidURI</Code><Message>Couldn't parse the specified URI.</Message></Error>",
      );
      return;
    }
    const answer = await service.handle(
      { method: request.method ?? 'GET', path, query: url.searchParams, headers, body: raw },
      {
        region: where.region,
        accountId: principal?.accountId ?? this.options.accountId,
        principal,
        requestId: where.requestId,
      },
    );
    response.writeHead(answer.status, {
      ...answer.headers,
      'x-amz-request-id': where.requestId,
      ...(answer.headers['content-length'] === undefined
        ? { 'content-length': Buffer.byteLength(answer.body) }
        : {}),
    });
    response.end(answer.body);
  }

  private async routeAdmin(url: URL, method: string, raw: string, response: ServerResponse): Promise<void> {
    const handler = this.adminRoutes.get(url.pathname);
    if (!handler) {
      sendJson(response, 404, 'application/json', { error: `no admin path ${url.pathname}` });
      return;
    }
    try {
      let body: Record<string, unknown> = {};
      if (raw.trim() !== '') {
        const parsed: unknown = JSON.parse(raw);
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new AdminError('the body must be a JSON object');
        }
        body = parsed as Record<string, unknown>;
      }
      const result = await handler({ method, body, query: url.searchParams });
      sendJson(response, 200, 'application/json', result ?? {});
    } catch (error) {
      const known =
        error instanceof AdminError ||
        error instanceof SyntaxError ||
        error instanceof VirtualClockError ||
        error instanceof InvalidDurationError ||
        error instanceof InvalidFaultError ||
        error instanceof InvalidQuotaError;
      const status = error instanceof AdminError ? error.status : known ? 400 : 500;
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      sendJson(response, status, 'application/json', { error: name, message });
    }
  }

  private addBuiltInAdminRoutes(): void {
    const { clock, limiter, faults } = this.options;
    this.addAdminRoute('health', () => ({ status: 'ok', services: [...this.services.keys()] }));
    this.addAdminRoute('clock', async ({ method, body }) => {
      if (method === 'POST') {
        if (typeof body.advance === 'string') await clock.advance(parseDuration(body.advance));
        else if (typeof body.advance === 'number') await clock.advance(body.advance);
        else if (typeof body.set === 'string') await clock.set(new Date(body.set));
        else throw new AdminError('POST /_byok/clock takes {"advance":"25h"} or {"set":"<ISO 8601 date>"}');
      } else if (method !== 'GET') {
        throw new AdminError(`${method} is not allowed on /_byok/clock`, 405);
      }
      return clockView(clock);
    });
    this.addAdminRoute('faults', ({ method, body }) => {
      if (method === 'POST' || method === 'PUT') faults.configure(validateFaults(body.faults));
      else if (method === 'DELETE') faults.configure([]);
      return { faults: faults.current() };
    });
    this.addAdminRoute('regions', ({ method, body }) => {
      if (method === 'POST' || method === 'PUT') {
        const regions = body.unreachable;
        if (
          !Array.isArray(regions) ||
          regions.some((region) => typeof region !== 'string' || !/^[a-z0-9-]{1,32}$/.test(region))
        ) {
          throw new AdminError('POST /_byok/regions takes {"unreachable": ["<region>", ...]}');
        }
        this.setUnreachableRegions(regions as string[]);
      } else if (method === 'DELETE') this.setUnreachableRegions([]);
      return { unreachable: [...this.unreachable].sort() };
    });
    this.addAdminRoute('quotas', ({ method, body }) => {
      if (method === 'POST' || method === 'PUT') limiter.configure((body.quotas ?? null) as QuotaSpec | null);
      else if (method === 'DELETE') limiter.configure(null);
      return { quotas: limiter.current() };
    });
  }
}

function clockView(clock: VirtualClock): { now: string; epochMs: number; offsetMs: number } {
  const now = clock.now();
  return { now: now.toISOString(), epochMs: now.getTime(), offsetMs: clock.offsetMs };
}

/** The request's abort signal (the client left) and whether its answer got out. */
function connectionFate(response: ServerResponse): { signal: AbortSignal; responded: Promise<boolean> } {
  const controller = new AbortController();
  const responded = new Promise<boolean>((resolve) => {
    response.once('finish', () => resolve(true));
    response.once('close', () => {
      if (!response.writableFinished) {
        controller.abort();
        resolve(false);
      }
    });
  });
  return { signal: controller.signal, responded };
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The body as text, or TOO_LARGE once it passes MAX_BODY_BYTES (the rest is read and dropped up to
 * MAX_DRAINED_BYTES, so that the 413 reaches the client; past that the read stops at once).
 */
function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      if (size > MAX_DRAINED_BYTES && !settled) {
        settled = true;
        request.pause();
        resolve(TOO_LARGE);
      }
    });
    request.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(size > limit ? TOO_LARGE : Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', reject);
  });
}

/** AWS's answer to a body over the limit: 413 with an AWS-shaped JSON error. */
function sendTooLarge(response: ServerResponse): void {
  response.setHeader('x-amzn-ErrorType', 'SerializationException');
  sendJson(response, 413, AWS_JSON_1_1, {
    __type: 'SerializationException',
    message: 'Request body too large',
  });
}

function sendText(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, contentType: string, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
