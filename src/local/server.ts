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
  VirtualClockError,
} from './errors.ts';
import { type FaultInjector, validateFaults } from './faults.ts';
import {
  AWS_JSON_1_1,
  AwsServiceError,
  type LocalService,
  parseJsonBody,
  parseTarget,
  regionFromAuthorization,
} from './protocol.ts';
import type { QuotaSpec, RateLimiter } from './quotas.ts';

const MAX_BODY_BYTES = 1024 * 1024;

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
}

export class LocalServer {
  private readonly services = new Map<string, LocalService>();
  private readonly adminRoutes = new Map<string, AdminHandler>();
  private readonly http: Server;
  /**
   * The Host headers served, once listening on loopback: loopback names with the bound port. A web
   * page that rebinds its own name to 127.0.0.1 sends its own name, and is refused. Undefined when
   * bound beyond loopback (`--public-bind`), where clients may use any of the machine's names.
   */
  private allowedHosts: ReadonlySet<string> | undefined;

  constructor(private readonly options: LocalServerOptions) {
    this.http = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        // Only reached when writing the response itself failed; nothing more can be sent.
        response.destroy(error instanceof Error ? error : undefined);
      });
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

  /** Adds `/_byok/<name>`; services use this for their own admin views. */
  addAdminRoute(name: string, handler: AdminHandler): void {
    this.adminRoutes.set(`/_byok/${name}`, handler);
  }

  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    const address = this.http.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.allowedHosts = isLoopbackAddress(address.address)
      ? loopbackHostHeaders(shownHost, address.port)
      : undefined;
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
    const raw = await readBody(request).catch(() => undefined);
    if (raw === undefined) {
      sendJson(response, 413, AWS_JSON_1_1, {
        __type: 'SerializationException',
        message: 'Request body too large',
      });
      return;
    }
    if (url.pathname.startsWith('/_byok/')) {
      await this.routeAdmin(url, request.method ?? 'GET', raw, response);
      return;
    }
    await this.routeAws(request, raw, response);
  }

  /** Why a request is refused before routing (browser, or a Host that is not this server); never echoes it. */
  private refusal(request: IncomingMessage): string | undefined {
    if (request.headers.origin !== undefined) {
      return 'the local stack does not serve browsers (the request has an Origin header)';
    }
    if (this.allowedHosts && !this.allowedHosts.has((header(request, 'host') ?? '').toLowerCase())) {
      return `the local stack serves only the Host names ${[...this.allowedHosts].join(', ')}`;
    }
    return undefined;
  }

  private async routeAws(request: IncomingMessage, raw: string, response: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    response.setHeader('x-amzn-RequestId', requestId);
    const target = parseTarget(header(request, 'x-amz-target'));
    const service = target ? this.services.get(target.prefix) : undefined;
    const contentType = service?.contentType ?? AWS_JSON_1_1;
    try {
      if (request.method !== 'POST' || !target || !service) {
        throw new AwsServiceError('UnknownOperationException');
      }
      const input = parseJsonBody(raw);
      const region = regionFromAuthorization(header(request, 'authorization')) ?? this.options.region;
      this.options.limiter.take(target.prefix, target.operation);
      await this.options.faults.apply(target.prefix, target.operation);
      const output = await service.handle(target.operation, input, {
        region,
        accountId: this.options.accountId,
        requestId,
        ...connectionFate(response),
      });
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
    this.addAdminRoute('quotas', ({ method, body }) => {
      if (method === 'POST' || method === 'PUT') limiter.configure((body.quotas ?? null) as QuotaSpec | null);
      else if (method === 'DELETE') limiter.configure(null);
      return { quotas: limiter.current() };
    });
  }
}

export function clockView(clock: VirtualClock): { now: string; epochMs: number; offsetMs: number } {
  const now = clock.now();
  return { now: now.toISOString(), epochMs: now.getTime(), offsetMs: clock.offsetMs };
}

function isLoopbackAddress(address: string): boolean {
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** `name:port` for each loopback name (and the bound address), plus the bare names on port 80. */
function loopbackHostHeaders(boundHost: string, port: number): ReadonlySet<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]', boundHost.toLowerCase()]);
  const hosts = new Set([...names].map((name) => `${name}:${port}`));
  if (port === 80) for (const name of names) hosts.add(name);
  return hosts;
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

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, contentType: string, value: unknown): void {
  const body = JSON.stringify(value);
  response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
