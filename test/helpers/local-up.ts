// `byok local up` in its own process, as a user runs it: the stack is ready once its URL is the
// first line on stdout.
import { rm } from 'node:fs/promises';
import type { HsmKeyType } from '../../src/core/hsm/port.ts';
import { type ByokProcess, spawnByok } from './byok-process.ts';
import { createTestToken } from './hsm.ts';

export type LocalUpProcess = ByokProcess;

/** Spawns `byok local up <args>`; the child is returned at once so that a caller can always stop it. */
export function spawnLocalUp(args: readonly string[], env: NodeJS.ProcessEnv = {}): LocalUpProcess {
  return spawnByok(['local', 'up'], args, env);
}

export interface LocalUpOverToken {
  /** The stack's URL (see LocalUpProcess.url). */
  url: Promise<string>;
  /** Stops the process and deletes the temp BYOK_HOME. */
  stop(): Promise<void>;
}

/**
 * `byok local up --port 0 --memory` over a fresh NSS token (temp BYOK_HOME) holding `keys`; the
 * token is closed here because the server process opens it itself. Returns once the process is
 * started, so that a caller can always stop it, even if it never prints its URL.
 */
export async function startLocalUpOverToken(
  keys: Array<{ label: string; type: HsmKeyType }>,
): Promise<LocalUpOverToken> {
  const token = await createTestToken('nss', { keys });
  await token.hsm?.close();
  const server = spawnLocalUp(['--port', '0', '--memory'], { BYOK_HOME: token.byokHome });
  return {
    url: server.url,
    async stop() {
      await server.stop();
      await rm(token.byokHome, { recursive: true, force: true });
    },
  };
}
