// The rotation's HSM steps in activity placement: `byok local up --hsm-placement activity` runs the
// rotation workflow with no HSM in its process; `byok worker` (NSS token, bound to the key's base
// label) makes the new material in the HSM (CreateRotationMaterial) and wraps it (WrapKeyMaterial).
// One approval (M=1) through the real approvals API; the key's current material changes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient, createSfnClient } from '../../../src/core/aws/clients.ts';
import { callClock } from '../../../src/onprem/cli/commands/local/action.ts';
import { runApprovedRotation } from '../../../src/onprem/simulation/rotation.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';
import { mapsPkcs11, runByok, spawnWorker, type WorkerProcess } from '../../helpers/worker-process.ts';

const LABEL = 'rot-w';

describe('byok local up (activity placement) + byok worker: a rotation', () => {
  let token: TestToken;
  let stackHome: string;
  let stack: LocalUpProcess;
  let url: string;
  let kms: KMSClient;
  let sfn: SFNClient;
  let worker: WorkerProcess;
  let keyArn: string;

  beforeAll(async () => {
    token = await createTestToken('nss', { keys: [{ label: LABEL, type: 'AES_256' }] });
    await token.hsm?.close();
    stackHome = await mkdtemp(join(tmpdir(), 'byok-stack-home-'));
    stack = spawnLocalUp(['--port', '0', '--memory', '--hsm-placement', 'activity'], {
      BYOK_HOME: stackHome,
    });
    url = await stack.url;
    kms = createKmsClient({ endpoint: url });
    sfn = createSfnClient({ endpoint: url });
    const keyId = await createManagedExternalKey(kms, {
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      hsmKeyLabel: LABEL,
    });
    keyArn = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Arn as string;
    worker = spawnWorker(['--endpoint', url, '--heartbeat-interval', '1', '--bind', `${LABEL}=${keyArn}`], {
      BYOK_HOME: token.byokHome,
    });
    await worker.polling;
    const imported = await runByok([
      'import',
      '--endpoint',
      url,
      '--key-id',
      keyArn,
      '--valid-for',
      '30d',
      '--json',
    ]);
    expect(imported.code, imported.stderr).toBe(0);
  }, 60_000);

  afterAll(async () => {
    kms?.destroy();
    sfn?.destroy();
    await worker?.stop();
    await stack?.stop();
    await token?.cleanup();
    if (stackHome) await rm(stackHome, { recursive: true, force: true });
  });

  it('makes and wraps the new material in the worker; the stack never maps PKCS#11', async () => {
    // Prepare
    const before = (await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata
      ?.CurrentKeyMaterialId;
    const approvals = (await (await fetch(`${url}/_byok/approvals`)).json()) as { url: string };
    const tasksBefore = worker.tasks().length;

    // Act: the stack's clock is virtual; tick it past the workflow's Wait and KMS's rotation delay in steps
    // well under HeartbeatSeconds (30), so a task in the worker's hands is not timed out by the tick.
    const ticker = setInterval(() => {
      void callClock(url, { advance: '5s' }).catch(() => undefined);
    }, 250);
    const result = await runApprovedRotation({
      approvalsUrl: approvals.url,
      region: 'us-east-1',
      sfn,
      keyId: keyArn,
      approvers: ['approver-1'],
      pollMs: 200,
      maxPolls: 140,
    }).finally(() => clearInterval(ticker));

    // Assess
    expect(result.status, `${result.error}: ${result.cause}`).toBe('SUCCEEDED');
    const after = (await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata
      ?.CurrentKeyMaterialId;
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const lines = (await worker.waitForTasks(tasksBefore + 2)).slice(tasksBefore);
    expect(lines.map((line) => line.outcome)).toEqual(['succeeded', 'succeeded']);
    expect(lines[0]?.hsmKeyLabel).toMatch(new RegExp(`^${LABEL}-r2-${result.requestId.slice(0, 8)}$`));
    expect(lines[1]?.hsmKeyLabel).toBe(lines[0]?.hsmKeyLabel);
    expect(await mapsPkcs11(stack.child.pid as number)).toEqual([]);
    expect((await mapsPkcs11(worker.child.pid as number)).some((path) => path.endsWith('pkcs11.node'))).toBe(
      true,
    );
  }, 40_000);
});
