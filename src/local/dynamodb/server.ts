// A DynamoDB-compatible endpoint for local runs and tests: dynalite (a real implementation of the
// DynamoDB API on LevelDB, in memory here) on a loopback port, driven by the real SDK clients.
// dynalite has no TransactWriteItems: the approvals store needs none (one conditional write per
// change). It is its own HTTP server, not a service on the local stack's port: DynamoDB's wire
// protocol (X-Amz-Target DynamoDB_20120810.*) and its errors are dynalite's to answer. Browsers are
// refused as on the stack's port (loopback-guard.ts).
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { guardLoopbackServer } from '../loopback-guard.ts';

export interface LocalDynamoDb {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  stop(): Promise<void>;
}

export async function startLocalDynamoDb(
  options: {
    host?: string;
    port?: number;
    /**
     * A directory for the tables (LevelDB on disk, created owner-only): they survive a restart.
     * Without it they live in memory.
     */
    path?: string | undefined;
  } = {},
): Promise<LocalDynamoDb> {
  const host = options.host ?? '127.0.0.1';
  if (options.path) mkdirSync(options.path, { recursive: true, mode: 0o700 });
  // Tables are ACTIVE at once: local runs have no reason to wait for a simulated creation.
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  // dynalite answers every CORS preflight with `Access-Control-Allow-Origin: *` and any Host: any web
  // page in the user's browser could read and delete the approvals and import-runs tables.
  guardLoopbackServer(server, 'local DynamoDB');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
