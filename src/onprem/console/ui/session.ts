// The console session in the browser. The printed URL carries the session secret in its fragment
// (`#session=…`), which the browser never sends anywhere; the page moves it into this tab's
// sessionStorage (scoped to the console's own origin, port included, unlike a cookie), drops it from
// the address bar and the history, and sends it in a request header on every API call. A page of
// another local service, on another port, can neither read it nor make the browser send it.

export const SESSION_HEADER = 'x-byok-session';
export const SESSION_STORAGE_KEY = 'byok-console-session';

const SECRET = /^[A-Za-z0-9_-]{43}$/;

export interface SessionFromHash {
  /** The secret the fragment carried, if any (and well formed). */
  secret: string | undefined;
  /** The fragment to show instead (the route, without the secret). */
  hash: string;
}

/**
 * Reads `#session=<secret>` (optionally followed by `&route=/runs/...`) from a location hash. A hash
 * without a session is returned as it is.
 */
export function sessionFromHash(hash: string): SessionFromHash {
  const fragment = hash.replace(/^#/, '');
  if (!fragment.startsWith('session=')) return { secret: undefined, hash };
  const parameters = new URLSearchParams(fragment);
  const secret = parameters.get('session') ?? '';
  const route = parameters.get('route') ?? '/keys';
  return {
    secret: SECRET.test(secret) ? secret : undefined,
    hash: `#${route.startsWith('/') ? route : '/keys'}`,
  };
}

interface SessionEnvironment {
  location: { hash: string; pathname: string; search: string };
  history: { replaceState(data: unknown, unused: string, url: string): void };
  storage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

/** Takes the secret out of the address bar into this tab's storage; returns the session, if any. */
export function adoptSession(environment: SessionEnvironment): string | undefined {
  const { secret, hash } = sessionFromHash(environment.location.hash);
  if (hash !== environment.location.hash) {
    if (secret) environment.storage.setItem(SESSION_STORAGE_KEY, secret);
    // Replaces the history entry: Back does not bring the secret back into the address bar.
    environment.history.replaceState(null, '', `${environment.location.pathname}${hash}`);
  }
  return environment.storage.getItem(SESSION_STORAGE_KEY) ?? undefined;
}
