// The console's JSON API, as route modules mounted under /api. Each module is thin: parse the
// request, call the core (keys.ts, runs.ts, start-import.ts) with the backend passed in, answer.
// The security middleware (security.ts) has already checked the session header, Host and Origin,
// so a module only adds routes here. Nothing a route returns may carry key
// material, a PIN or a task token.
import type { Hono } from 'hono';
import {
  DEFAULT_LEAD_WINDOW_DAYS,
  MAX_LEAD_WINDOW_DAYS,
  MIN_LEAD_WINDOW_DAYS,
} from '../../core/sweep/lead-window.ts';
import type { ConsoleApprovals } from './approvals.ts';
import type { ConsoleBackend } from './backend.ts';
import { ConsoleInvalidRequestError } from './errors.ts';
import { withBindings } from './key-bindings.ts';
import type { KeysCache } from './keys.ts';
import { listRuns, readRun } from './runs.ts';
import { startImport } from './start-import.ts';
import type { ApprovalsView, RunsView } from './wire.ts';

export interface ApiDeps {
  backend: ConsoleBackend;
  /** The approvals API, signed with the console process's own credentials. */
  approvals: ConsoleApprovals;
  /** One scan of the managed keys for every tab (keys.ts createKeysCache). */
  keys: KeysCache;
}

export type ApiModule = (api: Hono, deps: ApiDeps) => void;

/** The largest request body the API reads (server.ts refuses a larger one before reading it). */
export const MAX_BODY_BYTES = 16 * 1024;

async function jsonBody(request: Request): Promise<unknown> {
  if (!(request.headers.get('content-type') ?? '').startsWith('application/json')) {
    throw new ConsoleInvalidRequestError(['the body must be application/json']);
  }
  const text = await request.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new ConsoleInvalidRequestError(['the body is not JSON']);
  }
}

/** Where the console's calls go: shown on every page (account and Region, or the local endpoint). */
const contextApi: ApiModule = (api, { backend, approvals }) => {
  api.get('/context', async (c) => {
    const region = await backend.kms.config.region();
    // The identity names the account; a console that cannot read it (no approvals API, say) still
    // shows where it points.
    const identity = await approvals.identity().catch(() => null);
    const accountOf = (arn: string | null) =>
      arn ? (/^arn:aws[a-z-]*:[a-z]+:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? null) : null;
    // Else the account of byok's own state machine (the same account the keys are read in).
    const account =
      accountOf(identity) ??
      accountOf(await backend.stateMachineArn('import-key-material').catch(() => null));
    return c.json({
      target: backend.endpoint ? 'local' : 'aws',
      endpoint: backend.endpoint ?? null,
      region,
      account,
      identity,
    });
  });
};

const keysApi: ApiModule = (api, { backend, keys }) => {
  api.get('/keys', async (c) => {
    const asked = Number(c.req.query('leadWindowDays') ?? DEFAULT_LEAD_WINDOW_DAYS);
    if (!Number.isInteger(asked) || asked < MIN_LEAD_WINDOW_DAYS || asked > MAX_LEAD_WINDOW_DAYS) {
      throw new ConsoleInvalidRequestError([
        `leadWindowDays: whole days ${MIN_LEAD_WINDOW_DAYS}..${MAX_LEAD_WINDOW_DAYS}`,
      ]);
    }
    // `fresh=1` (Refresh now) starts a new scan unless one is already running.
    const scanned = await keys.read(asked, { fresh: c.req.query('fresh') === '1' });
    const region = await backend.kms.config.region();
    return c.json(await withBindings(scanned, backend.bindings, { endpoint: backend.endpoint, region }));
  });
};

const runsApi: ApiModule = (api, { backend, keys }) => {
  // A run seen running that has ended changed what the Keys page shows: its next read scans again.
  const seenRunning = new Set<string>();
  // Step Functions executions, and next to them the runs of `byok import` from their own record.
  api.get('/runs', async (c) => {
    const [runs, importRuns] = await Promise.all([listRuns(backend), backend.importRuns.list()]);
    return c.json({ runs, importRuns } satisfies RunsView);
  });
  api.get('/runs/:executionArn', async (c) => {
    const run = await readRun(backend, c.req.param('executionArn'));
    if (run.status === 'RUNNING') seenRunning.add(run.executionArn);
    else if (seenRunning.delete(run.executionArn)) keys.invalidate();
    return c.json(run);
  });
};

const importsApi: ApiModule = (api, { backend, keys }) => {
  api.post('/imports', async (c) => {
    const started = await startImport(backend, await jsonBody(c.req.raw));
    keys.invalidate();
    return c.json(started, 201);
  });
};

const approvalsApi: ApiModule = (api, { approvals, keys }) => {
  api.get('/approvals', async (c) => {
    const [identity, requests] = await Promise.all([approvals.identity(), approvals.list()]);
    return c.json({ identity, requests } satisfies ApprovalsView);
  });
  api.post('/rotations', async (c) =>
    c.json({ request: await approvals.request(await jsonBody(c.req.raw)) }, 201),
  );
  api.post('/approvals/:requestId/vote', async (c) => {
    const answer = await approvals.vote(c.req.param('requestId'), await jsonBody(c.req.raw));
    keys.invalidate();
    return c.json(answer);
  });
};

/** Every module the console serves. */
export const API_MODULES: readonly ApiModule[] = [contextApi, keysApi, runsApi, importsApi, approvalsApi];
