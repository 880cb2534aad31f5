// The console's API never leaves the page waiting for ever: a request whose AWS calls never answer
// (a stalled connection, a cached lookup that hangs) is answered 504 ConsoleTimeoutError at the
// API's deadline, by name, and the page's next poll asks again (src/onprem/console/server.ts).
import { describe, expect, it } from 'vitest';
import type { ConsoleApprovals } from '../../../../src/onprem/console/approvals.ts';
import type { ConsoleBackend } from '../../../../src/onprem/console/backend.ts';
import { createConsoleSecrets, SESSION_HEADER } from '../../../../src/onprem/console/security.ts';
import { createConsoleApp } from '../../../../src/onprem/console/server.ts';

const never = <T>() => new Promise<T>(() => undefined);

/** A stack whose every answer is lost: each call the Runs page makes waits for ever. */
const stalledBackend = {
  endpoint: 'http://127.0.0.1:1',
  stateMachineArn: () => never<string>(),
  workflowOf: () => never<undefined>(),
  importRuns: { list: () => never(), close: () => undefined },
  close: () => undefined,
} as unknown as ConsoleBackend;

const approvals = {
  identity: () => never<string>(),
  list: () => never(),
} as unknown as ConsoleApprovals;

describe('console API deadline', () => {
  it('answers 504 ConsoleTimeoutError, instead of never, when the runs listing never comes back', async () => {
    // Prepare
    const secrets = createConsoleSecrets();
    const app = createConsoleApp({
      backend: stalledBackend,
      approvals,
      secrets,
      assets: { indexHtml: '<!doctype html>', files: new Map() },
      allowedHosts: new Set(['127.0.0.1:4000']),
      apiDeadlineMs: 100,
    });

    // Act
    const answer = await Promise.race([
      app.request('/api/runs', {
        headers: { host: '127.0.0.1:4000', [SESSION_HEADER]: secrets.sessionSecret },
      }),
      new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), 2_000)),
    ]);

    // Assess
    expect(answer).not.toBe('no answer');
    const response = answer as Response;
    expect(response.status).toBe(504);
    const body = (await response.json()) as { error: string; message: string; hint?: string };
    expect(body.error).toBe('ConsoleTimeoutError');
    expect(body.message).toBe('GET /api/runs did not finish in 0.1 s');
    expect(body.hint).toMatch(/asks again/);
  });
});
