// Issue 17: `byok local up` with an execution waiting for an activity (no worker yet) still moves
// its clock past the daily sweep, and one Ctrl-C stops it cleanly with its state saved (the
// clock's offset is there on the next start).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListStateMachinesCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient, createSfnClient } from '../../../src/core/aws/clients.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';

const HOUR = 3_600_000;
let home: string;

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'byok-signals-'));
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

function exitOf(server: LocalUpProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) resolve(server.child.exitCode);
    else server.child.once('exit', (code) => resolve(code));
  });
}

async function advance(endpoint: string, by: string): Promise<{ offsetMs: number }> {
  const response = await fetch(`${endpoint}/_byok/clock`, {
    method: 'POST',
    body: JSON.stringify({ advance: by }),
    signal: AbortSignal.timeout(20_000),
  });
  return (await response.json()) as { offsetMs: number };
}

describe('byok local up with work waiting for someone else', () => {
  it('advances past the sweep while an import waits for a worker, and one SIGINT stops it with the clock saved', async () => {
    // Prepare
    const stateDir = join(home, 'local');
    const server = spawnLocalUp(['--port', '0', '--state-dir', stateDir, '--hsm-placement', 'activity'], {
      BYOK_HOME: home,
    });
    let stderr = '';
    server.child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const endpoint = await server.url;
    const kms = createKmsClient({ endpoint });
    const sfn = createSfnClient({ endpoint });
    try {
      const keyId = await createManagedExternalKey(kms, { hsmKeyLabel: 'no-worker-yet' });
      const machines = await sfn.send(new ListStateMachinesCommand({}));
      const importArn = machines.stateMachines?.find((machine) => machine.name === 'import-key-material')
        ?.stateMachineArn as string;
      await sfn.send(
        new StartExecutionCommand({ stateMachineArn: importArn, input: JSON.stringify({ keyId }) }),
      );

      // Act
      const first = await advance(endpoint, '20h');
      const second = await advance(endpoint, '1h');
      server.child.kill('SIGINT');
      const code = await Promise.race([
        exitOf(server),
        new Promise<string>((resolve) => setTimeout(() => resolve('still running after 15 s'), 15_000)),
      ]);
      const saved = JSON.parse(await readFile(join(stateDir, 'clock.json'), 'utf8')) as { offsetMs: number };

      // Assess
      expect(first.offsetMs).toBeGreaterThanOrEqual(20 * HOUR);
      expect(second.offsetMs).toBeGreaterThanOrEqual(21 * HOUR);
      expect(code).toBe(0);
      expect(stderr).toContain('SIGINT, stopping');
      expect(saved.offsetMs).toBeGreaterThanOrEqual(21 * HOUR);
    } finally {
      kms.destroy();
      sfn.destroy();
      await server.stop();
    }
  });
});
