// Issue 17: one Ctrl-C (or SIGTERM) stops `byok local up` cleanly, also once a rotation waits in it
// for its vote. The process used to print "stopped" and stay alive: the ASL interpreter's timers of
// the waiting rotation (its TimeoutSeconds, the task token's wait) kept the event loop busy.
// Then `byok local up` starts again on the same state (BYOK_HOME): `byok status` reports the same
// keys, last runs and exit code as before the stop.
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { ApprovalsClient } from '../../../src/core/approvals/client.ts';
import { createKmsClient, createSfnClient } from '../../../src/core/aws/clients.ts';
import { createTestToken } from '../../helpers/hsm.ts';
import type { LocalUpProcess } from '../../helpers/local-up.ts';
import { spawnLocalUp } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';

const execFileAsync = promisify(execFile);
const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'byok.js');

interface StatusSeen {
  exitCode: number;
  lastSweep?: { sweepId: string; checkedAt: string; outcome: string };
  keys: Array<{ keyId: string; keySpec: string; validTo: string | null; lastRun: unknown }>;
}

/** `byok status --output json` as cron runs it: its exit code and what it reports. */
async function statusOf(url: string): Promise<{ code: number; report: StatusSeen; stderr: string }> {
  const [code, stdout, stderr] = await new Promise<[number, string, string]>((done) => {
    execFile(
      process.execPath,
      [BIN, 'status', '--endpoint', url, '--output', 'json'],
      { env: { ...process.env, BYOK_DEBUG: '' }, timeout: 30_000 },
      (error, out, err) => done([error ? Number((error as { code?: number }).code ?? 1) : 0, out, err]),
    );
  });
  return { code, report: JSON.parse(stdout) as StatusSeen, stderr };
}

function seen(report: StatusSeen) {
  return {
    exitCode: report.exitCode,
    lastSweep: report.lastSweep,
    keys: report.keys.map(({ keyId, keySpec, validTo, lastRun }) => ({ keyId, keySpec, validTo, lastRun })),
  };
}

describe('byok local up, stopped with a rotation waiting for its vote', () => {
  let server: LocalUpProcess | undefined;
  let byokHome: string | undefined;
  let keyId: string;
  let before: Awaited<ReturnType<typeof statusOf>>;

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
    keyId = await createManagedExternalKey(kms, { hsmKeyLabel: 'stop-aes' });
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
    // A sweep run (its report is the last sweep `byok status` shows).
    const sfn = createSfnClient({ endpoint: url });
    const sweep = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:reimport-expiring-keys',
        input: '{}',
      }),
    );
    for (let tries = 0; tries < 100; tries += 1) {
      const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn: sweep.executionArn }));
      if (status !== 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    sfn.destroy();
    before = await statusOf(url);

    // Act
    const exited = await Promise.race([
      server.stop().then((code) => ({ code })),
      new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 20_000)),
    ]);

    // Assess
    expect(exited).toEqual({ code: 0 });
  }, 90_000);

  it('byok status reports the same keys, last runs and exit code after byok local up starts again', async () => {
    // Prepare: the stack stopped above; its state is in BYOK_HOME.
    server = spawnLocalUp(['--port', '0'], { BYOK_HOME: byokHome as string });
    const url = await server.url;

    // Act
    const after = await statusOf(url);

    // Assess
    expect(before.code, before.stderr).toBe(0);
    expect(before.report.keys.map((key) => key.keyId)).toContain(keyId);
    expect(before.report.keys.find((key) => key.keyId === keyId)?.lastRun).toMatchObject({
      result: 'SUCCEEDED',
    });
    expect(before.report.lastSweep).toMatchObject({ outcome: 'COMPLETE' });
    expect(after.code, after.stderr).toBe(before.code);
    expect(seen(after.report)).toEqual(seen(before.report));
  }, 60_000);
});
