// Issue 17: one Ctrl-C (or SIGTERM) stops `byok local up` cleanly, also once a rotation waits in it
// for its vote. The process used to print "stopped" and stay alive: the ASL interpreter's timers of
// the waiting rotation (its TimeoutSeconds, the task token's wait) kept the event loop busy.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ApprovalsClient } from '../../../src/core/approvals/client.ts';
import { createKmsClient } from '../../../src/core/aws/clients.ts';
import { createTestToken } from '../../helpers/hsm.ts';
import type { LocalUpProcess } from '../../helpers/local-up.ts';
import { spawnLocalUp } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';

const execFileAsync = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');

describe('byok local up, stopped with a rotation waiting for its vote', () => {
  let server: LocalUpProcess | undefined;
  let byokHome: string | undefined;

  afterAll(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null)
      server.child.kill('SIGKILL');
    if (byokHome) await rm(byokHome, { recursive: true, force: true });
  });

  it('exits after one SIGTERM, with the state saved', async () => {
    // Prepare: a key imported through the stack, then a rotation request waiting for a vote.
    const token = await createTestToken('nss', { keys: [{ label: 'stop-aes', type: 'AES_256' }] });
    await token.hsm?.close();
    byokHome = token.byokHome;
    server = spawnLocalUp(['--port', '0'], { BYOK_HOME: byokHome });
    const url = await server.url;
    const kms = createKmsClient({ endpoint: url });
    const keyId = await createManagedExternalKey(kms, { hsmKeyLabel: 'stop-aes' });
    kms.destroy();
    await execFileAsync(process.execPath, [
      BIN,
      'start',
      '--endpoint',
      url,
      '--key-id',
      keyId,
      '--valid-for',
      '30d',
    ]);
    const advertised = (await (await fetch(`${url}/_byok/approvals`)).json()) as { url: string };
    const alice = new ApprovalsClient({
      endpoint: advertised.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'alice', secretAccessKey: 'alice-secret' },
    });
    const { request } = await alice.requestRotation({ keyId, reason: 'yearly' });
    for (let tries = 0; tries < 100; tries += 1) {
      const { requests } = await alice.listRequests({ status: 'PENDING' });
      if (requests.some((pending) => pending.requestId === request.requestId)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    // Act
    const exited = await Promise.race([
      server.stop().then((code) => ({ code })),
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 20_000)),
    ]);

    // Assess
    expect(exited).toEqual({ code: 0 });
  }, 90_000);
});
