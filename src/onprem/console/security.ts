// What keeps other web pages, other local services and other local users out of the console: it
// acts with the user's AWS credentials, so a page in another tab must not be able to drive it (CSRF,
// DNS rebinding), a service on another port of this host must not receive anything that opens it,
// and a process that only knows the port must not read it.
//
// - a per-session secret, printed in the URL's fragment (never sent over the network by the
//   browser), kept by the page in sessionStorage (scoped to this origin, port included) and sent in
//   the x-byok-session header on every API call. No cookie: browsers send a cookie for 127.0.0.1 to
//   every port of 127.0.0.1. The page and its scripts are public; every /api request needs the header;
// - on loopback over plain HTTP (the default) the console's origin is new at every start: the
//   printed URL names `c-<16 random hex>.localhost` (browsers resolve `*.localhost` to loopback without
//   DNS and treat it as a secure context), and the Host header must be exactly that name with the
//   port. A browser origin is scheme, host and port, so a service worker or cache that whoever served
//   127.0.0.1:<port> earlier left in the browser never answers the console's navigation;
// - otherwise the Host header must name this server (a rebinding attack's page names its own domain);
// - an Origin header, when sent, must be this server's own origin; cross-site and same-site (another
//   port of this host) requests to the API are refused; a state-changing request is a POST carrying
//   this server's Origin (a cross-origin page cannot set the session header without a preflight,
//   which is refused);
// - a strict Content-Security-Policy: scripts and styles from the console's own files only (so no
//   injected script can read the session from sessionStorage).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import type { Context, MiddlewareHandler } from 'hono';

/** The URL fragment's parameter that carries the secret: `#session=<secret>`. */
export const SESSION_FRAGMENT_PARAMETER = 'session';
/** The request header the page sends the secret in (src/onprem/console/ui/session.ts SESSION_HEADER). */
export const SESSION_HEADER = 'x-byok-session';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface ConsoleSecrets {
  /** Printed in the URL's fragment; the page sends it in SESSION_HEADER. */
  sessionSecret: string;
}

export function createConsoleSecrets(): ConsoleSecrets {
  return { sessionSecret: randomBytes(32).toString('base64url') };
}

/** Compares two strings in time independent of where they differ. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * Whether the console gets a fresh origin of its own (freshOriginName): on a loopback listening
 * address browsers also reach `*.localhost` by, over plain HTTP. With TLS the certificate names the
 * host, so the operator's own name stays; other 127.x addresses are not what `*.localhost` resolves to.
 */
export function usesFreshOrigin(listenHost: string, tls: boolean): boolean {
  return !tls && ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(listenHost.toLowerCase());
}

/**
 * A host name no browser has seen before: `c-` and 64 random bits (hex), under `.localhost`, which
 * Chromium, Firefox and curl resolve to loopback without asking DNS (RFC 6761). Nobody can have
 * registered a service worker or cached a page for it before this start.
 */
export function freshOriginName(): string {
  return `c-${randomBytes(8).toString('hex')}.localhost`;
}

function hostName(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

/**
 * `host:port` forms a browser sends for a server listening on `listenHost`: the loopback names for
 * loopback, the address itself otherwise, and for a wildcard (0.0.0.0, ::) this machine's name and
 * every address of its interfaces (the names it can be reached by, and no other).
 */
export function allowedHostHeaders(
  listenHost: string,
  port: number,
  machine: { hostname: string; addresses: string[] } = {
    hostname: hostname(),
    addresses: Object.values(networkInterfaces()).flatMap((list) =>
      (list ?? []).map((entry) => entry.address),
    ),
  },
): Set<string> {
  const names = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(listenHost)
    ? LOOPBACK_NAMES
    : ['0.0.0.0', '::', '[::]'].includes(listenHost)
      ? [...LOOPBACK_NAMES, hostName(listenHost), machine.hostname, ...machine.addresses.map(hostName)]
      : [hostName(listenHost)];
  return new Set(names.map((name) => `${name}:${port}`.toLowerCase()));
}

export interface SecurityOptions {
  secrets: ConsoleSecrets;
  /** See allowedHostHeaders; read on every request, so it can be filled in once the port is known. */
  allowedHosts: Set<string>;
  /** https when the console serves TLS. */
  scheme: 'http' | 'https';
}

function refuse(c: Context, status: 401 | 403 | 405, error: string, message: string) {
  return c.json({ error, message }, status);
}

function setSecurityHeaders(c: Context, scheme: 'http' | 'https'): void {
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cross-Origin-Opener-Policy', 'same-origin');
  c.header('Cross-Origin-Resource-Policy', 'same-origin');
  c.header('Cache-Control', 'no-store');
  if (scheme === 'https') c.header('Strict-Transport-Security', 'max-age=31536000');
}

/** Paths anyone who reaches the server may load: the page and its scripts, which hold no secret. */
function isPublicAsset(method: string, path: string): boolean {
  return (
    (method === 'GET' || method === 'HEAD') &&
    (path === '/' || path === '/favicon.ico' || path.startsWith('/assets/'))
  );
}

export function securityMiddleware(options: SecurityOptions): MiddlewareHandler {
  return async (c, next) => {
    setSecurityHeaders(c, options.scheme);
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!options.allowedHosts.has(host)) {
      return refuse(c, 403, 'ConsoleHostRefused', 'this console does not answer to that Host');
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== `${options.scheme}://${host}`) {
      return refuse(c, 403, 'ConsoleOriginRefused', 'requests from other origins are refused');
    }
    // The page and its scripts hold nothing secret: any navigation may load them (the launch file of
    // --open is a file: page, so its redirect arrives cross-site).
    if (isPublicAsset(c.req.method, c.req.path)) {
      await next();
      return;
    }
    // The API answers this console's own page only: not a cross-site page, and not a page of another
    // port of this host either (the same site, but not the same origin).
    const site = c.req.header('sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      return refuse(c, 403, 'ConsoleOriginRefused', "only this console's own page may call its API");
    }
    if (!sameSecret(c.req.header(SESSION_HEADER), options.secrets.sessionSecret)) {
      return refuse(
        c,
        401,
        'ConsoleSessionRequired',
        'open the URL that `byok console` printed (it carries the session secret)',
      );
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      if (c.req.method !== 'POST') return refuse(c, 405, 'ConsoleMethodRefused', 'only GET and POST');
      if (origin === undefined) {
        return refuse(c, 403, 'ConsoleOriginRefused', 'a POST must carry this console’s Origin');
      }
    }
    await next();
  };
}
