// A worker started before its endpoint answers (or that loses it) keeps polling with backoff and
// picks up work once the stack is there: real processes, a real port with nothing on it at first.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKmsClient } from '../../../src/core/aws/clients.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';
import { runByok, spawnWorker, type WorkerProcess } from '../../helpers/worker-process.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('byok worker reconnects', () => {
  let token: TestToken | undefined;
  let stackHome: string | undefined;
  let stack: LocalUpProcess | undefined;
  let worker: WorkerProcess | undefined;

  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
    await token?.cleanup();
    if (stackHome) await rm(stackHome, { recursive: true, force: true });
  });

  it('backs off while nothing answers, then does the task once the stack is up', async () => {
    // Prepare: the worker first, on a port where nothing listens yet.
    token = await createTestToken('nss', { keys: [{ label: 'aes-late', type: 'AES_256' }] });
    await token.hsm?.close();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    worker = spawnWorker(
      [
        '--endpoint',
        url,
        '--activity-arn',
        'arn:aws:states:us-east-1:111122223333:activity:byok-wrap-key-material',
        '--allow-any-key-for-development',
      ],
      { BYOK_HOME: token.byokHome },
    );
    await worker.polling;
    while ((worker.stderr().match(/GetActivityTask failed; reconnecting/g) ?? []).length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // Act: the stack comes up on that port; an import runs through it.
    stackHome = await mkdtemp(join(tmpdir(), 'byok-stack-home-'));
    stack = spawnLocalUp(['--port', String(port), '--memory', '--hsm-placement', 'activity'], {
      BYOK_HOME: stackHome,
    });
    await stack.url;
    const kms = createKmsClient({ endpoint: url });
    const keyId = await createManagedExternalKey(kms, { hsmKeyLabel: 'aes-late' });
    kms.destroy();
    const imported = await runByok([
      'import',
      '--endpoint',
      url,
      '--key-id',
      keyId,
      '--wrapping-key-spec',
      'RSA_2048',
      '--json',
    ]);

    // Assess
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      status: 'SUCCEEDED',
      output: { keyState: 'Enabled' },
    });
    const notes = worker
      .stderr()
      .split('\n')
      .filter((line) => line.includes('reconnecting'))
      .map((line) => JSON.parse(line) as { attempt: number; waitMs: number });
    expect(notes.slice(0, 2).map((note) => note.attempt)).toEqual([1, 2]);
    expect(worker.tasks()).toEqual([
      expect.objectContaining({ hsmKeyLabel: 'aes-late', outcome: 'succeeded' }),
    ]);
  }, 90_000);
});
