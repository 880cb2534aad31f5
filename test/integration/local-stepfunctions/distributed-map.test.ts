// Distributed Map and Task Credentials in the local runner, on the real interpreter, against the
// local stack's S3 and STS over HTTP: items read from S3, the Map context in the ItemSelector,
// MaxConcurrency observed on the child executions, failures tolerated by share or failing the Map
// by name, results written to S3 as Step Functions writes them, and a Task acting as another
// account's role.
import { join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { ExecutionHistory } from '../../../src/onprem/runner/execution-history.ts';
import { createLocalDeps, type LocalDeps } from '../../../src/onprem/runner/local-deps.ts';
import { runExecution } from '../../../src/onprem/runner/run-execution.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'statemachines');
const BUCKET = 'map-runs';
let stack: LocalStack;
let deps: LocalDeps;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  deps = await createLocalDeps({
    endpoint: stack.url,
    region: stack.region,
    accountId: stack.accountId,
    clock: stack.clock,
    hsmPlacement: 'activity',
    logLevel: 'SILENT',
  });
  await deps.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  await deps?.close();
  await stack?.stop();
});

async function readJson(key: string): Promise<unknown> {
  const object = await deps.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return JSON.parse((await object.Body?.transformToString()) ?? '');
}

async function runMap(items: unknown[], options: { maxConcurrency: number; tolerated: number; run: string }) {
  const key = `items/${options.run}.json`;
  await deps.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: JSON.stringify(items) }));
  const history = new ExecutionHistory();
  const result = await runExecution({
    stateMachine: join(FIXTURES, 'distributed-map.asl.json'),
    name: options.run,
    input: {
      bucket: BUCKET,
      key,
      maxConcurrency: options.maxConcurrency,
      tolerated: options.tolerated,
      run: options.run,
    },
    deps: { ...deps, executionHistory: history },
    overrides: { waitTimeOverrides: { Work: 100 } },
  });
  return { result, history };
}

/** The most child executions that ran at the same time. */
function maxOverlap(records: readonly { startDate: Date; stopDate?: Date | undefined }[]): number {
  const edges = records.flatMap((record) => [
    [record.startDate.getTime(), 1],
    [(record.stopDate ?? record.startDate).getTime(), -1],
  ]);
  edges.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
  let open = 0;
  let most = 0;
  for (const [, step] of edges) {
    open += step as number;
    most = Math.max(most, open);
  }
  return most;
}

describe('a Distributed Map in the local runner', () => {
  it('runs one child execution per S3 item, at most MaxConcurrency at once, and writes the results to S3', async () => {
    // Prepare
    const items = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => ({ name }));

    // Act
    const { result, history } = await runMap(items, { maxConcurrency: 2, tolerated: 0, run: 'all-good' });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const output = result.output as {
      map: { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
    };
    expect(output.map.MapRunArn).toMatch(
      /^arn:aws:states:us-east-1:111122223333:mapRun:distributed-map\/EachItem:/,
    );
    const children = history.list();
    expect(children).toHaveLength(6);
    expect(
      children.every(
        (child) => child.stateMachine === 'distributed-map/EachItem' && child.status === 'SUCCEEDED',
      ),
    ).toBe(true);
    expect(children.every((child) => child.startedBy === `execution:${result.executionArn}`)).toBe(true);
    expect(maxOverlap(children)).toBe(2);
    const manifest = (await readJson(output.map.ResultWriterDetails.Key)) as {
      ResultFiles: { SUCCEEDED: { Key: string }[]; FAILED: unknown[] };
    };
    expect(manifest.ResultFiles.FAILED).toEqual([]);
    const succeeded = (await readJson(manifest.ResultFiles.SUCCEEDED[0]?.Key ?? '')) as {
      Output: string;
      Status: string;
    }[];
    expect(succeeded.map((entry) => JSON.parse(entry.Output)).sort((a, b) => a.index - b.index)).toEqual(
      items.map((item, index) => ({ name: item.name, index, run: 'all-good' })),
    );
  });

  it('tolerates failures up to the share and lists them in FAILED_0.json', async () => {
    // Prepare
    const items = [{ name: 'a' }, { name: 'b', fail: true }, { name: 'c' }, { name: 'd' }];

    // Act
    const { result, history } = await runMap(items, { maxConcurrency: 0, tolerated: 25, run: 'one-fails' });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(history.failed().map((child) => child.error)).toEqual(['ItemFailedError']);
    const output = result.output as { map: { ResultWriterDetails: { Key: string } } };
    const manifest = (await readJson(output.map.ResultWriterDetails.Key)) as {
      ResultFiles: { FAILED: { Key: string }[] };
    };
    const failed = (await readJson(manifest.ResultFiles.FAILED[0]?.Key ?? '')) as {
      Error: string;
      Cause: string;
      Input: string;
    }[];
    expect(failed).toEqual([
      expect.objectContaining({
        Error: 'ItemFailedError',
        Cause: 'the item asked to fail',
        Status: 'FAILED',
      }),
    ]);
    expect(JSON.parse(failed[0]?.Input ?? '{}')).toMatchObject({ index: 1, item: { name: 'b', fail: true } });
  });

  it('fails the Map with States.ExceedToleratedFailureThreshold past the share, and starts no more children', async () => {
    // Prepare: the second of five items fails; one child at a time
    const items = [{ name: 'a' }, { name: 'b', fail: true }, { name: 'c' }, { name: 'd' }, { name: 'e' }];

    // Act
    const { result, history } = await runMap(items, { maxConcurrency: 1, tolerated: 0, run: 'too-many' });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect((result.output as { mapError: { Error: string } }).mapError.Error).toBe(
      'States.ExceedToleratedFailureThreshold',
    );
    expect(history.list()).toHaveLength(2);
  });
});

describe('Task Credentials in the local runner', () => {
  it('runs the task as the role, in the role’s account', async () => {
    // Prepare
    stack.iam.put({
      accountId: '222233334444',
      roleName: 'reader',
      trustPolicy: {
        Statement: [{ Effect: 'Allow', Principal: { AWS: stack.accountId }, Action: 'sts:AssumeRole' }],
      },
      policies: [],
    });

    // Act
    const result = await runExecution({
      stateMachine: join(FIXTURES, 'task-credentials.asl.json'),
      input: { roleArn: 'arn:aws:iam::222233334444:role/reader' },
      deps,
    });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      Account: '222233334444',
      Arn: 'arn:aws:sts::222233334444:assumed-role/reader/byok-states',
    });
  });

  it('fails the task by name when the role cannot be assumed', async () => {
    // Act
    const result = await runExecution({
      stateMachine: join(FIXTURES, 'task-credentials.asl.json'),
      input: { roleArn: 'arn:aws:iam::222233334444:role/no-such-role' },
      deps,
    });

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', error: 'Sts.AccessDenied' });
    expect(result.cause).toContain('sts:AssumeRole on resource: arn:aws:iam::222233334444:role/no-such-role');
  });
});
