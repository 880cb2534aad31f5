// Acceptance: a worker that dies holding a task loses nothing (the state's HeartbeatSeconds notices
// it, the step is retried and another worker completes it), and a worker told to stop (SIGTERM)
// finishes the task in hand, then exits 0. Real processes: `byok local up --hsm-placement
// activity`, `byok worker` over an NSS token. A worker is made to hold a task by stopping it
// (SIGSTOP) while its poll is open: the stack hands the task to that poll.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient, createSfnClient } from '../../../src/core/aws/clients.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';
import { advanceClock, spawnWorker, type WorkerProcess } from '../../helpers/worker-process.ts';

const LABELS = ['aes-kill', 'aes-term'] as const;

describe('byok worker: killed or stopped while holding a task', () => {
  let token: TestToken;
  let stackHome: string;
  let stack: LocalUpProcess;
  let url: string;
  let kms: KMSClient;
  let sfn: SFNClient;
  const keyArns = new Map<string, string>();
  const workers: WorkerProcess[] = [];

  const startWorker = async () => {
    const worker = spawnWorker(
      ['--endpoint', url, ...LABELS.flatMap((label) => ['--bind', `${label}=${keyArns.get(label)}`])],
      { BYOK_HOME: token.byokHome },
    );
    workers.push(worker);
    await worker.polling;
    // "polling" is noted as the first GetActivityTask goes out: let it reach the stack.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return worker;
  };

  /** Starts an import on the stack; resolves once the wrap task has been handed out. */
  const startImport = async (label: string, validTo: string) => {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:import-key-material',
        input: JSON.stringify({ keyId: keyArns.get(label), validTo, wrappingKeySpec: 'RSA_2048' }),
      }),
    );
    const executionArn = started.executionArn as string;
    for (;;) {
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
      const entered = (history.events ?? []).some(
        (event) =>
          event.type === 'TaskStateEntered' && event.stateEnteredEventDetails?.name === 'WrapKeyMaterial',
      );
      if (entered) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The stack answers the stopped worker's open poll at once; give the answer time to be written.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return executionArn;
  };

  const finished = async (executionArn: string) => {
    for (;;) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== 'RUNNING') return described;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    token = await createTestToken('nss', {
      keys: LABELS.map((label) => ({ label, type: 'AES_256' as const })),
    });
    await token.hsm?.close();
    stackHome = await mkdtemp(join(tmpdir(), 'byok-stack-home-'));
    stack = spawnLocalUp(['--port', '0', '--memory', '--hsm-placement', 'activity'], {
      BYOK_HOME: stackHome,
    });
    url = await stack.url;
    kms = createKmsClient({ endpoint: url });
    sfn = createSfnClient({ endpoint: url });
    for (const label of LABELS) {
      const keyId = await createManagedExternalKey(kms, { hsmKeyLabel: label });
      keyArns.set(
        label,
        (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Arn as string,
      );
    }
  }, 60_000);

  afterAll(async () => {
    for (const worker of workers) {
      if (worker.child.signalCode === 'SIGSTOP') worker.child.kill('SIGCONT');
      await worker.stop();
    }
    kms?.destroy();
    sfn?.destroy();
    await stack?.stop();
    await token?.cleanup();
    if (stackHome) await rm(stackHome, { recursive: true, force: true });
  });

  it('SIGKILL: the heartbeat timeout fires, the step is retried, a second worker completes it', async () => {
    // Prepare
    const validTo = new Date(Date.now() + 30 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const first = await startWorker();
    first.child.kill('SIGSTOP');
    const executionArn = await startImport('aes-kill', validTo);

    // Act: the holder dies; a second worker polls; HeartbeatSeconds (30) passes on the stack's clock.
    first.child.kill('SIGKILL');
    const second = await startWorker();
    await advanceClock(url, '31s');
    const described = await finished(executionArn);

    // Assess
    expect(described.status, described.cause).toBe('SUCCEEDED');
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const wrapEntries = (history.events ?? []).filter(
      (event) =>
        event.type === 'TaskStateEntered' && event.stateEnteredEventDetails?.name === 'WrapKeyMaterial',
    );
    expect(wrapEntries.length).toBeGreaterThanOrEqual(1);
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(first.tasks()).toEqual([]);
    // One line only: had the first worker not held the task, the second would have taken it and
    // lost it to the same heartbeat timeout (an 'answer-refused' line).
    expect(second.tasks()).toEqual([
      expect.objectContaining({
        keyId: keyArns.get('aes-kill'),
        outcome: 'succeeded',
        execution: executionArn,
      }),
    ]);
    const key = await kms.send(new DescribeKeyCommand({ KeyId: keyArns.get('aes-kill') }));
    expect(key.KeyMetadata?.KeyState).toBe('Enabled');
    expect(key.KeyMetadata?.ValidTo?.toISOString().replace(/\.\d{3}Z$/, 'Z')).toBe(validTo);
  }, 120_000);

  it('SIGTERM: the task in hand completes, then the worker exits 0', async () => {
    // Prepare
    const validTo = new Date(Date.now() + 60 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const worker of workers) await worker.stop();
    const worker = await startWorker();
    worker.child.kill('SIGSTOP');
    const executionArn = await startImport('aes-term', validTo);

    // Act: the stop request arrives while the worker holds the task.
    worker.child.kill('SIGTERM');
    worker.child.kill('SIGCONT');
    const exit = await worker.exited;
    const described = await finished(executionArn);

    // Assess
    expect(exit).toEqual({ code: 0, signal: null });
    expect(worker.tasks()).toEqual([
      expect.objectContaining({
        keyId: keyArns.get('aes-term'),
        outcome: 'succeeded',
        execution: executionArn,
      }),
    ]);
    expect(described.status, described.cause).toBe('SUCCEEDED');
    const key = await kms.send(new DescribeKeyCommand({ KeyId: keyArns.get('aes-term') }));
    expect(key.KeyMetadata?.KeyState).toBe('Enabled');
  }, 120_000);
});
