// The page's only way out: same-origin fetches to the console server, which calls AWS. Every call
// carries this tab's session secret (session.ts) in a header: the browser sends no cookie, and a
// page of another origin can set no such header.

import type { ApiError } from '../wire.ts';
import { SESSION_HEADER, SESSION_STORAGE_KEY } from './session.ts';

class ApiRequestError extends Error {
  readonly body: ApiError;
  constructor(body: ApiError) {
    super(body.message);
    this.name = body.error;
    this.body = body;
  }
}

/** This tab's session (read through globalThis: the module is also unit-tested under Node, without the DOM). */
function session(): string {
  const storage = (globalThis as { sessionStorage?: { getItem(key: string): string | null } }).sessionStorage;
  return storage?.getItem(SESSION_STORAGE_KEY) ?? '';
}

/**
 * What the page shows of any failure, by name: the server's answer as it came (its error name,
 * message, hint and issues), an error thrown in the page by its name, anything else as Error.
 */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiRequestError) return error.body;
  if (error instanceof Error) {
    const hint = (error as { hint?: unknown }).hint;
    return { error: error.name, message: error.message, ...(typeof hint === 'string' ? { hint } : {}) };
  }
  return { error: 'Error', message: String(error) };
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

/**
 * How long a GET may take: past it the request is aborted (its connection freed) and fails with
 * ConsoleRequestTimeoutError. Above the server's own deadline (server.ts API_DEADLINE_MS), which
 * normally answers first with a named 504.
 */
export const GET_DEADLINE_MS = 60_000;

export interface GetOptions {
  /** Aborts the request (the poller's: its deadline passed, or the view changed). */
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

export async function getJson<T>(path: string, options: GetOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? GET_DEADLINE_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  try {
    return parse<T>(
      await fetch(path, {
        headers: { accept: 'application/json', [SESSION_HEADER]: session() },
        credentials: 'omit',
        signal,
      }),
    );
  } catch (error) {
    if (deadline.aborted && !options.signal?.aborted) {
      throw new ApiRequestError({
        error: 'ConsoleRequestTimeoutError',
        message: `no answer from the console server in ${Math.round(timeoutMs / 1000)} s (GET ${path})`,
        hint: 'the page asks again at the next refresh; if it keeps happening, check that byok console is still running and that AWS (or the local stack) answers',
      });
    }
    throw error;
  }
}

/** How long a POST may take (above the server's deadline, which normally answers first). */
const POST_DEADLINE_MS = 70_000;

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const deadline = AbortSignal.timeout(POST_DEADLINE_MS);
  try {
    return parse<T>(
      await fetch(path, {
        method: 'POST',
        credentials: 'omit',
        headers: {
          accept: 'application/json',
          'content-type': 'application/json',
          [SESSION_HEADER]: session(),
        },
        body: JSON.stringify(body),
        signal: deadline,
      }),
    );
  } catch (error) {
    if (!deadline.aborted) throw error;
    // Unlike a GET, a POST may have been carried out without its answer coming back.
    throw new ApiRequestError({
      error: 'ConsoleRequestTimeoutError',
      message: `no answer from the console server in ${POST_DEADLINE_MS / 1000} s (POST ${path}): it may or may not have been done`,
      hint: 'look at the Runs or Rotations and approvals page before trying again',
    });
  }
}

/** Where the console's calls go (GET /api/context). */
export interface ConsoleContext {
  target: 'local' | 'aws';
  endpoint: string | null;
  region: string;
  account: string | null;
  identity: string | null;
}

/** "AWS account 111122223333, eu-west-1" or "local stack http://127.0.0.1:4599 (account …, us-east-1)". */
export function describeContext(context: ConsoleContext): string {
  const account = context.account ? `account ${context.account}` : 'account unknown';
  return context.target === 'local'
    ? `local stack ${context.endpoint ?? ''} (${account}, ${context.region})`
    : `AWS ${account}, ${context.region}`;
}
