// The console's JSON API, as route modules mounted under /api. Each module is thin: parse the
// request, call the core (keys.ts, runs.ts, start-import.ts) with the backend passed in, answer.
// The security middleware (security.ts) has already checked the session header, Host and Origin,
// so a module only adds routes here. Nothing a route returns may carry key
// material, a PIN or a task token.
import type { Hono } from 'hono';
import type { ConsoleApprovals } from './approvals.ts';
import type { ConsoleBackend } from './backend.ts';
import { ConsoleInvalidRequestError } from './errors.ts';
import { DEFAULT_LEAD_WINDOW_DAYS, readKeys } from './keys.ts';
import { listRuns, readRun } from './runs.ts';
import { startImport } from './start-import.ts';

export interface ApiDeps {
  backend: ConsoleBackend;
  /** The approvals API, signed with the console process's own credentials. */
  approvals: ConsoleApprovals;
}

export type ApiModule = (api: Hono, deps: ApiDeps) => void;

const MAX_BODY_BYTES = 16 * 1024;

async function jsonBody(request: Request): Promise<unknown> {
  if (!(request.headers.get('content-type') ?? '').startsWith('application/json')) {
    throw new ConsoleInvalidRequestError(['the body must be application/json']);
  }
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw new ConsoleInvalidRequestError(['the body is too large']);
  try {
    return JSON.parse(text);
  } catch {
    throw new ConsoleInvalidRequestError(['the body is not JSON']);
  }
}

/** Where the console's calls go: shown on every page (account and Region, or the local endpoint). */
export const contextApi: ApiModule = (api, { backend, approvals }) => {
  api.get('/context', async (c) => {
    const region = await backend.kms.config.region();
    // The identity names the account; a console that cannot read it (no approvals API, say) still
    // shows where it points.
    const identity = await approvals.identity().catch(() => null);
    const account = identity ? (/^arn:aws[a-z-]*:[a-z]+::?(\d{12}):/.exec(identity)?.[1] ?? null) : null;
    return c.json({
      target: backend.endpoint ? 'local' : 'aws',
      endpoint: backend.endpoint ?? null,
      region,
      account,
      identity,
    });
  });
};

export const keysApi: ApiModule = (api, { backend }) => {
  api.get('/keys', async (c) => {
    const asked = Number(c.req.query('leadWindowDays') ?? DEFAULT_LEAD_WINDOW_DAYS);
    if (!Number.isInteger(asked) || asked < 1 || asked > 180) {
      throw new ConsoleInvalidRequestError(['leadWindowDays: whole days 1..180']);
    }
    return c.json(await readKeys(backend, asked));
  });
};

export const runsApi: ApiModule = (api, { backend }) => {
  api.get('/runs', async (c) => c.json({ runs: await listRuns(backend) }));
  api.get('/runs/:executionArn', async (c) => c.json(await readRun(backend, c.req.param('executionArn'))));
};

export const importsApi: ApiModule = (api, { backend }) => {
  api.post('/imports', async (c) => c.json(await startImport(backend, await jsonBody(c.req.raw)), 201));
};

export const approvalsApi: ApiModule = (api, { approvals }) => {
  api.get('/approvals', async (c) => {
    const [identity, requests] = await Promise.all([approvals.identity(), approvals.list()]);
    return c.json({ identity, requests });
  });
  api.post('/rotations', async (c) =>
    c.json({ request: await approvals.request(await jsonBody(c.req.raw)) }, 201),
  );
  api.post('/approvals/:requestId/vote', async (c) =>
    c.json(await approvals.vote(c.req.param('requestId'), await jsonBody(c.req.raw))),
  );
};

/** Every module the console serves. */
export const API_MODULES: readonly ApiModule[] = [contextApi, keysApi, runsApi, importsApi, approvalsApi];
