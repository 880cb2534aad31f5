// Issue 17, the worker's items, with real `byok worker` processes against a local stack in activity
// placement over real HTTP: a binding of a multi-Region key covers its replicas (the worker asks KMS
// in the replica's Region for the replica's own parameters); a key id in a binding is normalised;
// --heartbeat-interval is checked against the deployed HeartbeatSeconds; discovery waits for an
// endpoint that refuses connections, and gives up by name; a signal says what the worker finishes
// and for how long at most, and a second one ends it at once.
import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  type KMSClient,
  ReplicateKeyCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKmsClient,
  createRegionalKmsClients,
  type RegionalKmsClients,
} from '../../../src/core/aws/clients.ts';
import { TAG_HSM_KEY_LABEL, TAG_MANAGED, TAG_MANAGED_VALUE } from '../../../src/core/import/tags.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { createTaskTokenServiceOn, type TaskTokenService } from '../../../src/onprem/runner/tasks/service.ts';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctionsWithLocalToken,
} from '../../../src/onprem/simulation/step-functions.ts';
import { bindOnLocalStack } from '../../helpers/bindings.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';
import { runByok, spawnWorker, type WorkerProcess } from '../../helpers/worker-process.ts';

const REPLICA_REGION = 'us-west-2';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The worker's exit, or 'running' if it has not exited within `ms`. */
async function exitWithin(worker: WorkerProcess, ms: number) {
  return Promise.race([
    worker.exited,
    new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), ms).unref()),
  ]);
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function startActivityStack(port = 0) {
  return (async () => {
    const stack = await startLocalStack({ port });
    const tasks = createTaskTokenServiceOn(stack.clock);
    const stepFunctions = attachLocalStepFunctionsWithLocalToken(stack, { tasks, hsmPlacement: 'activity' });
    return {
      stack,
      async stop() {
        await stepFunctions.close();
        tasks.close();
        await stack.stop();
      },
    };
  })();
}

describe('byok worker operations (issue 17)', () => {
  let token: TestToken;
  let stack: LocalStack;
  let tasks: TaskTokenService;
  let stepFunctions: AttachedStepFunctions;
  let kms: KMSClient;
  let regional: RegionalKmsClients;
  const workers: WorkerProcess[] = [];
  const extraStops: Array<() => Promise<void>> = [];

  const worker = (args: string[]) => {
    const spawned = spawnWorker(args, { BYOK_HOME: token.byokHome });
    workers.push(spawned);
    return spawned;
  };

  beforeAll(async () => {
    token = await createTestToken('nss', {
      keys: [
        { label: 'mrk-aes', type: 'AES_256' },
        { label: 'upper-aes', type: 'AES_256' },
      ],
    });
    await token.hsm?.close();
    // Two GetParametersForImport calls in a row never share a wrapping key (as on AWS, each its own):
    // the worker wraps under the key it asked KMS for, so an import (a replica's too) that sent the
    // workflow's token instead of the worker's could not unwrap the blob.
    stack = await startLocalStack({
      port: 0,
      kmsDistinctWrappingKeys: true,
      kmsPrewarmWrappingKeys: ['RSA_4096'],
    });
    tasks = createTaskTokenServiceOn(stack.clock);
    stepFunctions = attachLocalStepFunctionsWithLocalToken(stack, { tasks, hsmPlacement: 'activity' });
    kms = createKmsClient({ endpoint: stack.url });
    regional = createRegionalKmsClients({ endpoint: stack.url });
  }, 60_000);

  afterAll(async () => {
    for (const spawned of workers) await spawned.stop();
    for (const stop of extraStops) await stop();
    kms?.destroy();
    regional?.destroy();
    await stepFunctions?.close();
    tasks?.close();
    await stack?.stop();
    await token?.cleanup();
  });

  it('a binding of a multi-Region primary covers its replica: the replica gets the material in its own Region', async () => {
    // Prepare: a multi-Region primary bound by ARN, imported once, then replicated.
    const created = await kms.send(
      new CreateKeyCommand({
        Origin: 'EXTERNAL',
        MultiRegion: true,
        Tags: [
          { TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE },
          { TagKey: TAG_HSM_KEY_LABEL, TagValue: 'mrk-aes' },
        ],
      }),
    );
    const primaryArn = created.KeyMetadata?.Arn as string;
    await bindOnLocalStack(stack.url, 'mrk-aes', primaryArn);
    const polling = worker(['--endpoint', stack.url, '--bind', `mrk-aes=${primaryArn}`]);
    await polling.polling;
    const first = await runByok([
      'import',
      '--endpoint',
      stack.url,
      '--key-id',
      primaryArn,
      '--valid-for',
      '30d',
    ]);
    expect(first.code, first.stderr).toBe(0);
    await kms.send(new ReplicateKeyCommand({ KeyId: primaryArn, ReplicaRegion: REPLICA_REGION }));

    // Act
    const second = await runByok([
      'import',
      '--endpoint',
      stack.url,
      '--key-id',
      primaryArn,
      '--valid-for',
      '30d',
    ]);

    // Assess
    expect(second.code, second.stderr).toBe(0);
    const replica = await regional
      .forRegion(REPLICA_REGION)
      .send(new DescribeKeyCommand({ KeyId: primaryArn.replace(stack.region, REPLICA_REGION) }));
    expect(replica.KeyMetadata?.KeyState).toBe('Enabled');
    expect(polling.tasks().map((line) => line.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(polling.tasks().at(-1)?.keyId).toBe(primaryArn.replace(stack.region, REPLICA_REGION));
    await polling.stop();
  }, 90_000);

  it('normalises an upper-case key id in --bind: the key it names is served', async () => {
    // Prepare
    const created = await createManagedExternalKey(kms, { hsmKeyLabel: 'upper-aes' });
    const arn = (await kms.send(new DescribeKeyCommand({ KeyId: created }))).KeyMetadata?.Arn as string;
    const upper = `${arn.slice(0, arn.lastIndexOf('/') + 1)}${created.toUpperCase()}`;
    const polling = worker(['--endpoint', stack.url, '--bind', `upper-aes=${upper}`]);
    await polling.polling;

    // Act
    const imported = await runByok([
      'import',
      '--endpoint',
      stack.url,
      '--key-id',
      arn,
      '--valid-for',
      '30d',
    ]);

    // Assess
    expect(imported.code, imported.stderr).toBe(0);
    expect(polling.tasks().map((line) => line.outcome)).toEqual(['succeeded']);
    await polling.stop();
  }, 60_000);

  it('refuses --heartbeat-interval 45 by name: the deployed HeartbeatSeconds is 30', async () => {
    // Act
    const slow = worker([
      '--endpoint',
      stack.url,
      '--heartbeat-interval',
      '45',
      '--bind',
      'upper-aes=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ]);
    const exit = await exitWithin(slow, 20_000);

    // Assess
    expect(exit).toEqual({ code: 1, signal: null });
    expect(slow.stderr()).toContain('byok: WorkerHeartbeatIntervalError:');
    expect(slow.stderr()).toMatch(/HeartbeatSeconds.*30/);
    expect(slow.stderr()).not.toContain('    at ');
  }, 30_000);

  it('on SIGTERM says it finishes its poll (and how long at most); a second signal ends it at once', async () => {
    // Prepare
    const polling = worker(['--endpoint', stack.url, '--allow-any-key-for-development']);
    await polling.polling;

    // Act
    polling.child.kill('SIGTERM');
    await waitFor(() => polling.stderr().includes('SIGTERM'), 5_000, 'the first signal note');
    const afterFirst = await exitWithin(polling, 500);
    polling.child.kill('SIGTERM');
    const afterSecond = await exitWithin(polling, 3_000);

    // Assess
    expect(afterFirst).toBe('running');
    expect(polling.stderr()).toMatch(/finishing the polls? in flight \(at most 60 s\)/);
    expect(polling.stderr()).toMatch(/again to stop at once/);
    expect(afterSecond).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('discovery waits for an endpoint that refuses connections, then polls once it answers', async () => {
    // Prepare: nothing listens on the port yet.
    const port = await freePort();
    const waiting = worker(['--endpoint', `http://127.0.0.1:${port}`, '--allow-any-key-for-development']);
    await waitFor(
      () => /cannot reach Step Functions.*retrying/.test(waiting.stderr()),
      15_000,
      'a retry note',
    );

    // Act
    const late = await startActivityStack(port);
    extraStops.push(() => late.stop());

    // Assess
    await waiting.polling;
    expect(waiting.stderr()).toContain('ECONNREFUSED');
  }, 60_000);

  it('discovery gives up by name, with a hint, after --discovery-timeout', async () => {
    // Prepare
    const port = await freePort();

    // Act
    const gaveUp = worker([
      '--endpoint',
      `http://127.0.0.1:${port}`,
      '--discovery-timeout',
      '2',
      '--allow-any-key-for-development',
    ]);
    const exit = await exitWithin(gaveUp, 20_000);

    // Assess
    expect(exit).toEqual({ code: 1, signal: null });
    expect(gaveUp.stderr()).toContain('byok: WorkerEndpointUnreachableError:');
    expect(gaveUp.stderr()).toContain('hint:');
    expect(gaveUp.stderr()).not.toContain('    at ');
  }, 30_000);

  it('keeps its journal 0600 (under $BYOK_HOME/worker without --bindings), and refuses to start on a journal others may read', async () => {
    // Prepare
    const polling = worker(['--endpoint', stack.url, '--allow-any-key-for-development']);
    await polling.polling;
    const journalPath = join(token.byokHome, 'worker', 'byok-worker-journal.json');
    const created = await stat(journalPath);
    await polling.stop();
    const exposedDir = await mkdtemp(join(tmpdir(), 'byok-exposed-journal-'));
    extraStops.push(() => rm(exposedDir, { recursive: true, force: true }));
    const exposed = join(exposedDir, 'journal.json');
    await writeFile(exposed, JSON.stringify({ version: 1, keys: [] }), { mode: 0o644 });
    await chmod(exposed, 0o644);

    // Act
    const refused = worker([
      '--endpoint',
      stack.url,
      '--allow-any-key-for-development',
      '--journal',
      exposed,
    ]);
    const exit = await exitWithin(refused, 20_000);

    // Assess
    expect(created.mode & 0o777).toBe(0o600);
    expect(exit).toEqual({ code: 1, signal: null });
    expect(refused.stderr()).toContain('byok: WorkerJournalError:');
    expect(refused.stderr()).toContain('may be read or written by others');
    expect(refused.stderr()).toContain('hint:');
  }, 60_000);
});
