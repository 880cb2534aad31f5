// The page's only way out: same-origin fetches to the console server, which holds the session
// cookie (HttpOnly, sent by the browser) and calls AWS. POSTs carry the CSRF token from the page's
// <meta> in a header a cross-site form cannot set.
import type { ApiError } from './types.ts';

export class ApiRequestError extends Error {
  readonly body: ApiError;
  constructor(body: ApiError) {
    super(body.message);
    this.name = body.error;
    this.body = body;
  }
}

function meta(name: string): string {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? '';
}

async function parse<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => ({}))) as T & Partial<ApiError>;
  if (!response.ok) {
    throw new ApiRequestError({
      error: body.error ?? `HTTP ${response.status}`,
      message: body.message ?? response.statusText,
      ...(body.hint ? { hint: body.hint } : {}),
      ...(body.issues ? { issues: body.issues } : {}),
    });
  }
  return body;
}

export async function getJson<T>(path: string): Promise<T> {
  return parse<T>(await fetch(path, { headers: { accept: 'application/json' }, credentials: 'same-origin' }));
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  return parse<T>(
    await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        'x-byok-csrf': meta('byok-csrf'),
      },
      body: JSON.stringify(body),
    }),
  );
}

/** "the local stack at http://…" or "AWS (eu-west-1)". */
export function targetDescription(): string {
  return meta('byok-target');
}
