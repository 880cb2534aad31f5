// Acceptance: two workers (as on two hosts) share the wrap activity while the reimport sweep
// imports 20 keys through `byok local up --hsm-placement activity`: every wrap task is done exactly
// once, none is lost, and every key ends Enabled.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient, createSfnClient } from '../../../src/core/aws/clients.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';
import { spawnWorker, type WorkerProcess } from '../../helpers/worker-process.ts';

const LABELS = Array.from({ length: 20 }, (_, index) => `aes-sweep-${index}`);

describe('two byok workers under the reimport sweep', () => {
  let token: TestToken;
  let stackHome: string;
  let stack: LocalUpProcess;
  let url: string;
  let kms: KMSClient;
  let sfn: SFNClient;
  const workers: WorkerProcess[] = [];
  const keyArns: string[] = [];

  beforeAll(async () => {
    token = await createTestToken('nss', {
      keys: LABELS.map((label) => ({ label, type: 'AES_256' as const })),
    });
    await token.hsm?.close();
    stackHome = await mkdtemp(join(tmpdir(), 'byok-stack-home-'));
    stack = spawnLocalUp(
      ['--port', '0', '--memory', '--hsm-placement', 'activity', '--prewarm', 'RSA_2048,RSA_4096'],
      { BYOK_HOME: stackHome },
    );
    url = await stack.url;
    kms = createKmsClient({ endpoint: url });
    sfn = createSfnClient({ endpoint: url });
    for (const label of LABELS) {
      const keyId = await createManagedExternalKey(kms, { hsmKeyLabel: label });
      keyArns.push((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Arn as string);
    }
    const binds = LABELS.flatMap((label, index) => ['--bind', `${label}=${keyArns[index]}`]);
    for (const name of ['host-a', 'host-b']) {
      workers.push(
        spawnWorker(['--endpoint', url, '--name', name, '--concurrency', '2', ...binds], {
          BYOK_HOME: token.byokHome,
        }),
      );
    }
    await Promise.all(workers.map((worker) => worker.polling));
  }, 120_000);

  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    kms?.destroy();
    sfn?.destroy();
    await stack?.stop();
    await token?.cleanup();
    if (stackHome) await rm(stackHome, { recursive: true, force: true });
  });

  it('does each of the 20 wrap tasks exactly once, and every key ends Enabled', async () => {
    // Act
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:reimport-expiring-keys',
        input: JSON.stringify({ getParametersForImportPerSecond: 40, quotaShare: 1 }),
      }),
    );
    let described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    while (described.status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, 250));
      described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    }
    const lines = workers.flatMap((worker) => worker.tasks());

    // Assess
    expect(described.status, described.cause).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '{}')).toMatchObject({ succeeded: 20, failed: 0 });
    expect(lines.map((line) => line.outcome)).toEqual(Array(20).fill('succeeded'));
    const perExecution = new Map<string, number>();
    for (const line of lines)
      perExecution.set(line.execution ?? '', (perExecution.get(line.execution ?? '') ?? 0) + 1);
    expect([...perExecution.values()]).toEqual(Array(20).fill(1));
    expect(new Set(lines.map((line) => line.keyId))).toEqual(new Set(keyArns));
    for (const keyArn of keyArns) {
      const key = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
      expect(key.KeyMetadata?.KeyState, keyArn).toBe('Enabled');
    }
  }, 300_000);
});
