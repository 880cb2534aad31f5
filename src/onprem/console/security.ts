// What keeps other web pages and other local users out of the console: the console acts with the
// user's AWS credentials, so a page in another tab must not be able to drive it (CSRF, DNS
// rebinding) and a process that only knows the port must not read it.
//
// - a per-session secret, printed in the URL once, exchanged for an HttpOnly SameSite=Strict
//   cookie on first load (then redirected away, so it leaves the address bar) and required on
//   every request after;
// - the Host header must name this server (a rebinding attack's page names its own domain);
// - an Origin header, when sent, must be this server's own origin; cross-site fetches are refused;
// - every state-changing request is a POST carrying Origin and a CSRF token (double submit: the
//   token is in the page's <meta>, and comes back in a header a cross-site form cannot set);
// - a strict Content-Security-Policy: scripts and styles from the console's own files only.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

export const SESSION_QUERY_PARAMETER = 'session';
export const CSRF_HEADER = 'x-byok-csrf';

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
  /** Printed in the URL; the cookie carries it afterwards. */
  sessionSecret: string;
  /** Sent back by the page in CSRF_HEADER on every POST. */
  csrfToken: string;
}

export function createConsoleSecrets(): ConsoleSecrets {
  return {
    sessionSecret: randomBytes(32).toString('base64url'),
    csrfToken: randomBytes(32).toString('base64url'),
  };
}

/** Compares two strings in time independent of where they differ. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

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
  port: () => number;
}

function refuse(c: Context, status: 401 | 403 | 405, error: string, message: string) {
  return c.json({ error, message }, status);
}

function setSecurityHeaders(c: Context): void {
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('X-Frame-Options', 'DENY');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cross-Origin-Opener-Policy', 'same-origin');
  c.header('Cross-Origin-Resource-Policy', 'same-origin');
  c.header('Cache-Control', 'no-store');
}

/** The cookie name carries the port: cookies are not port-scoped, two consoles must not share one. */
export function sessionCookieName(port: number): string {
  return `byok_console_${port}`;
}

export function securityMiddleware(options: SecurityOptions): MiddlewareHandler {
  return async (c, next) => {
    setSecurityHeaders(c);
    const host = (c.req.header('host') ?? '').toLowerCase();
    if (!options.allowedHosts.has(host)) {
      return refuse(c, 403, 'ConsoleHostRefused', 'this console does not answer to that Host');
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== `http://${host}`) {
      return refuse(c, 403, 'ConsoleOriginRefused', 'requests from other origins are refused');
    }
    if (c.req.header('sec-fetch-site') === 'cross-site') {
      return refuse(c, 403, 'ConsoleOriginRefused', 'cross-site requests are refused');
    }
    const cookieName = sessionCookieName(options.port());
    const given = c.req.query(SESSION_QUERY_PARAMETER);
    if (c.req.method === 'GET' && c.req.path === '/' && given !== undefined) {
      if (!sameSecret(given, options.secrets.sessionSecret)) {
        return refuse(c, 401, 'ConsoleSessionRequired', 'that session secret is not this console’s');
      }
      setCookie(c, cookieName, options.secrets.sessionSecret, {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
      });
      // The secret leaves the address bar and the history.
      return c.redirect('/', 303);
    }
    if (!sameSecret(getCookie(c, cookieName), options.secrets.sessionSecret)) {
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
      if (!sameSecret(c.req.header(CSRF_HEADER), options.secrets.csrfToken)) {
        return refuse(c, 403, 'ConsoleCsrfRefused', `a POST must carry the page's ${CSRF_HEADER} token`);
      }
    }
    await next();
  };
}
