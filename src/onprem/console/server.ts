// `byok console`'s server: serves the browser app's static files (built by scripts/build-console.mjs)
// and the JSON API, behind the session, Host and Origin checks of security.ts, on loopback unless
// asked otherwise (beyond loopback only over TLS or with plain HTTP accepted out loud, exposure.ts).
// It is the only part that talks to AWS (or the local stack).
import { readFile } from 'node:fs/promises';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAdaptorServer } from '@hono/node-server';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ApprovalRefusedError, ApprovalsEndpointError } from '../cli/errors.ts';
import { API_MODULES, type ApiDeps, MAX_BODY_BYTES } from './api.ts';
import { type ConsoleApprovals, createConsoleApprovals } from './approvals.ts';
import { type BackendOptions, type ConsoleBackend, createConsoleBackend } from './backend.ts';
import {
  ConsoleAssetsMissingError,
  ConsoleBodyTooLargeError,
  ConsoleError,
  ConsoleInvalidRequestError,
  ConsoleListenError,
  ConsoleRunNotFoundError,
  ConsoleStateMachineNotFoundError,
  ConsoleTimeoutError,
} from './errors.ts';
import { checkExposure } from './exposure.ts';
import { hintForError } from './hints.ts';
import { createKeysCache, readKeys } from './keys.ts';
import {
  allowedHostHeaders,
  type ConsoleSecrets,
  createConsoleSecrets,
  freshOriginName,
  SESSION_FRAGMENT_PARAMETER,
  securityMiddleware,
  usesFreshOrigin,
} from './security.ts';
import type { TlsMaterial } from './tls.ts';
import type { ApiError } from './wire.ts';

const ASSETS: Record<string, { file: string; type: string }> = {
  '/assets/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: 'app_css.css', type: 'text/css; charset=utf-8' },
};

/** The built browser app, read once at start: a later rebuild cannot tear a running console. */
export interface ConsoleAssets {
  indexHtml: string;
  /** By URL path. */
  files: Map<string, string>;
}

/**
 * The assets the build leaves in dist/console (scripts/build-console.mjs, run by setup, `npm ci` and
 * `npm run build`). The server only reads them: building is a development step, not something
 * product code reaches into scripts/ for, and a runtime install (`npm ci --omit=dev`) has no esbuild.
 */
const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

export async function readConsoleAssets(assetsDir: string): Promise<ConsoleAssets> {
  const files = new Map<string, string>();
  for (const [path, asset] of Object.entries(ASSETS)) {
    files.set(path, await readFile(join(assetsDir, asset.file), 'utf8'));
  }
  return { indexHtml: await readFile(join(assetsDir, 'index.html'), 'utf8'), files };
}

/**
 * The longest an API request may take: past it the console answers 504 ConsoleTimeoutError (and the
 * page asks again at its next poll) instead of leaving the page waiting. Every AWS call has its own,
 * shorter, timeout (backend.ts CONSOLE_AWS_REQUEST_TIMEOUT_MS), so this catches what else could stall.
 * Below the page's own deadline (ui/api.ts GET_DEADLINE_MS).
 */
export const API_DEADLINE_MS = 55_000;

/** Answers 504 ConsoleTimeoutError when the handler has not finished within `deadlineMs`. */
function deadline(deadlineMs: number): MiddlewareHandler {
  return async (c, next) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ConsoleTimeoutError(`${c.req.method} ${c.req.path}`, deadlineMs)),
        deadlineMs,
      );
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      clearTimeout(timer);
    }
  };
}

export interface ConsoleAppOptions {
  backend: ConsoleBackend;
  /** Default: the approvals API found from the backend's endpoint, with the default credentials. */
  approvals?: ConsoleApprovals;
  secrets: ConsoleSecrets;
  assets: ConsoleAssets;
  allowedHosts: Set<string>;
  /** https when the console serves TLS (default http). */
  scheme?: 'http' | 'https';
  /** Default API_DEADLINE_MS (tests shorten it). */
  apiDeadlineMs?: number;
}

function statusOf(error: unknown): ContentfulStatusCode {
  // The approvals API's own refusal (SelfApprovalError 403, DuplicateVoteError 409, ...), as it said.
  if (error instanceof ApprovalRefusedError && error.status >= 400 && error.status < 500) {
    return error.status as ContentfulStatusCode;
  }
  if (error instanceof ApprovalRefusedError) return 502;
  if (error instanceof ApprovalsEndpointError) return 503;
  if (error instanceof ConsoleInvalidRequestError) return 400;
  if (error instanceof ConsoleBodyTooLargeError) return 413;
  if (error instanceof ConsoleRunNotFoundError) return 404;
  if (error instanceof ConsoleTimeoutError) return 504;
  // The stack this console points at has no byok workflow (not deployed, or the wrong Region).
  if (error instanceof ConsoleStateMachineNotFoundError) return 503;
  if (error instanceof ConsoleError) return 400;
  // An AWS service's own refusal (AccessDenied, Throttling, ...) as a bad gateway.
  if (error && typeof error === 'object' && '$metadata' in error) return 502;
  return 500;
}

export function createConsoleApp(options: ConsoleAppOptions): Hono {
  const app = new Hono();
  app.use(
    '*',
    securityMiddleware({
      secrets: options.secrets,
      allowedHosts: options.allowedHosts,
      scheme: options.scheme ?? 'http',
    }),
  );
  app.onError((error, c) => {
    const body: ApiError = { error: error.name || 'Error', message: error.message };
    const hint = hintForError(error);
    if (hint) body.hint = hint;
    if (error instanceof ConsoleInvalidRequestError) body.issues = error.issues;
    return c.json(body, statusOf(error));
  });
  app.notFound((c) => c.json({ error: 'NotFound', message: `no ${c.req.method} ${c.req.path} here` }, 404));

  // The page is public: it holds no secret (the session arrives in the URL's fragment).
  const page = options.assets.indexHtml;
  app.get('/', (c) => c.html(page));
  // Browsers ask for it unprompted; there is none (and no error in the page's console either).
  app.get('/favicon.ico', (c) => c.body(null, 204));
  for (const [path, asset] of Object.entries(ASSETS)) {
    const body = options.assets.files.get(path) ?? '';
    app.get(path, (c) => {
      c.header('Content-Type', asset.type);
      return c.body(body);
    });
  }
  const api = new Hono();
  api.use('*', deadline(options.apiDeadlineMs ?? API_DEADLINE_MS));
  // A body is read whole before it is parsed: one over the limit is refused by its Content-Length, or
  // (chunked) as soon as it passes the limit, never buffered (a 300 MB body took the process to 1 GB).
  api.use(
    '*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ConsoleBodyTooLargeError(MAX_BODY_BYTES);
      },
    }),
  );
  const deps: ApiDeps = {
    backend: options.backend,
    approvals: options.approvals ?? createConsoleApprovals(options.backend, undefined),
    keys: createKeysCache((leadWindowDays) => readKeys(options.backend, leadWindowDays)),
  };
  for (const register of API_MODULES) register(api, deps);
  app.route('/api', api);
  return app;
}

export interface ConsoleServerOptions extends BackendOptions {
  port?: number;
  /** Listening address; anything but loopback needs tls or allowPlainHttp (exposure.ts). */
  host?: string;
  /** Serve HTTPS with this certificate and key (tls.ts readTlsMaterial). */
  tls?: TlsMaterial | undefined;
  /** Accept plain HTTP beyond loopback (--allow-plain-http). */
  allowPlainHttp?: boolean;
  /** Where the built assets are (default dist/console, made by `npm run build` and setup). */
  assetsDir?: string;
}

export interface ConsoleServer {
  /** The URL to open, with the session secret in its fragment. */
  url: string;
  /** What to say on stderr about the exposure (listening beyond loopback), if anything. */
  warning: string | undefined;
  /** The same without the secret. */
  origin: string;
  port: number;
  close(): Promise<void>;
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const host = options.host ?? '127.0.0.1';
  const warning = checkExposure(host, {
    tls: options.tls !== undefined,
    allowPlainHttp: options.allowPlainHttp === true,
  });
  const scheme = options.tls ? 'https' : 'http';
  let assets: ConsoleAssets;
  try {
    assets = await readConsoleAssets(options.assetsDir ?? DEFAULT_ASSETS_DIR);
  } catch (error) {
    throw new ConsoleAssetsMissingError(options.assetsDir ?? 'dist/console', { cause: error });
  }
  const backend = createConsoleBackend(options);
  const secrets = createConsoleSecrets();
  const allowedHosts = new Set<string>();
  const app = createConsoleApp({
    backend,
    approvals: createConsoleApprovals(backend, options.region, options.profile),
    secrets,
    assets,
    allowedHosts,
    scheme,
  });
  const fresh = usesFreshOrigin(host, options.tls !== undefined);
  const make = () =>
    createAdaptorServer({
      fetch: app.fetch,
      ...(options.tls
        ? { createServer: createHttpsServer, serverOptions: { cert: options.tls.cert, key: options.tls.key } }
        : {}),
    });
  let servers: [ServerType, ...ServerType[]];
  try {
    servers = fresh
      ? await listenOnLoopback(make, options.port ?? 0)
      : [await listenOn(make(), options.port ?? 0, host)];
  } catch (error) {
    backend.close();
    throw error;
  }
  const port = (servers[0].address() as AddressInfo).port;
  let origin: string;
  if (fresh) {
    // A name no browser has kept anything for: the Host header must be exactly it.
    const name = freshOriginName();
    allowedHosts.add(`${name}:${port}`);
    origin = `${scheme}://${name}:${port}`;
  } else {
    for (const allowed of allowedHostHeaders(host, port)) allowedHosts.add(allowed);
    // A wildcard address is reached by this machine's name (one of the Host names it answers to).
    const urlHost =
      host === 'localhost' ? '127.0.0.1' : ['0.0.0.0', '::', '[::]'].includes(host) ? hostname() : host;
    origin = `${scheme}://${urlHost.includes(':') && !urlHost.startsWith('[') ? `[${urlHost}]` : urlHost}:${port}`;
  }
  return {
    url: `${origin}/#${SESSION_FRAGMENT_PARAMETER}=${secrets.sessionSecret}`,
    warning,
    origin,
    port,
    close: async () => {
      backend.close();
      await Promise.all(servers.map(closeServer));
    },
  };
}

type ServerType = ReturnType<typeof createAdaptorServer>;

/** Listens on host:port (0: a free one); resolves with the server, or rejects with ConsoleListenError. */
function listenOn(server: ServerType, port: number, host: string): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(new ConsoleListenError(`${host.includes(':') ? `[${host}]` : host}:${port}`, { cause: error })),
    );
    server.listen(port, host, () => resolve(server));
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

/** How many free ports to try before giving up when [::1] is taken at each (port 0 only). */
const LOOPBACK_ATTEMPTS = 5;

/**
 * Listens on 127.0.0.1 and on [::1] at the same port. Browsers reach `*.localhost` on [::1] first
 * (Chromium, measured), so a process of another user listening on [::1] at the console's port would
 * get the navigation to the printed URL, and with it the session secret in its fragment: the console
 * holds both. Without IPv6 on loopback nobody can listen on [::1] and browsers fall back to 127.0.0.1.
 */
async function listenOnLoopback(
  make: () => ServerType,
  port: number,
): Promise<[ServerType, ...ServerType[]]> {
  for (let attempt = 1; ; attempt++) {
    const v4 = await listenOn(make(), port, '127.0.0.1');
    const bound = (v4.address() as AddressInfo).port;
    try {
      return [v4, await listenOn(make(), bound, '::1')];
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return [v4];
      await closeServer(v4);
      if (port !== 0 || attempt >= LOOPBACK_ATTEMPTS) throw error;
    }
  }
}
