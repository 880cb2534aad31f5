// Activities end to end: the real runner queues the test state machine's activity tasks, workers
// long-poll GetActivityTask over real HTTP with the real SFN client and answer with SendTask*.
// Each task is done exactly once by two concurrent workers; a worker that hangs up mid-poll loses
// nothing; a worker that dies holding a task is noticed by HeartbeatSeconds on the virtual clock.
import {
  CreateActivityCommand,
  DeleteActivityCommand,
  DescribeActivityCommand,
  GetActivityTaskCommand,
  ListActivitiesCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTaskWorld, type TaskWorld, WORK_ACTIVITY_ARN } from '../../helpers/task-world.ts';

const POLL_MS = 400;

async function awsErrorOf(sending: Promise<unknown>): Promise<string> {
  const error = await sending.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected the request to be refused');
  return error.name;
}

describe('activities through the local Step Functions API', () => {
  let world: TaskWorld;
  let sfn: SFNClient;

  beforeAll(async () => {
    world = await startTaskWorld({ activityPollMs: POLL_MS });
    sfn = world.sfn;
    await sfn.send(new CreateActivityCommand({ name: 'byok-test-work' }));
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('creates (idempotently), describes, lists and deletes activities, with AWS errors', async () => {
    // Act
    const created = await sfn.send(new CreateActivityCommand({ name: 'byok-test-other' }));
    const again = await sfn.send(new CreateActivityCommand({ name: 'byok-test-other' }));
    const described = await sfn.send(new DescribeActivityCommand({ activityArn: created.activityArn }));
    const listed = await sfn.send(new ListActivitiesCommand({}));
    await sfn.send(new DeleteActivityCommand({ activityArn: created.activityArn }));
    const errors = {
      describeDeleted: await awsErrorOf(
        sfn.send(new DescribeActivityCommand({ activityArn: created.activityArn })),
      ),
      pollDeleted: await awsErrorOf(
        sfn.send(new GetActivityTaskCommand({ activityArn: created.activityArn })),
      ),
      badArn: await awsErrorOf(
        sfn.send(
          new DescribeActivityCommand({
            activityArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:x',
          }),
        ),
      ),
      badName: await awsErrorOf(sfn.send(new CreateActivityCommand({ name: 'has space' }))),
      deleteAgain: await sfn
        .send(new DeleteActivityCommand({ activityArn: created.activityArn }))
        .then(() => 'ok'),
    };

    // Assess
    expect(created.activityArn).toBe('arn:aws:states:us-east-1:111122223333:activity:byok-test-other');
    expect(again.activityArn).toBe(created.activityArn);
    expect(again.creationDate).toEqual(created.creationDate);
    expect(described).toMatchObject({ name: 'byok-test-other', activityArn: created.activityArn });
    expect(listed.activities?.map((activity) => activity.name)).toEqual([
      'byok-test-work',
      'byok-test-other',
    ]);
    expect(errors).toEqual({
      describeDeleted: 'ActivityDoesNotExist',
      pollDeleted: 'ActivityDoesNotExist',
      badArn: 'InvalidArn',
      badName: 'InvalidName',
      deleteAgain: 'ok',
    });
  });

  it('answers a poll with no task after the poll time, without a task token', async () => {
    // Act
    const started = Date.now();
    const polled = await sfn.send(
      new GetActivityTaskCommand({ activityArn: WORK_ACTIVITY_ARN, workerName: 'idle' }),
    );

    // Assess
    expect(polled.taskToken).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(POLL_MS - 50);
  });

  it('two concurrent workers do each of N tasks exactly once, in bounded time', async () => {
    // Prepare
    const items = Array.from({ length: 16 }, (_, index) => `item-${index}`);
    const done: Array<{ item: string; worker: string }> = [];
    let stop = false;
    const worker = async (name: string) => {
      const client = world.newSfnClient();
      while (!stop) {
        const task = await client.send(
          new GetActivityTaskCommand({ activityArn: WORK_ACTIVITY_ARN, workerName: name }),
        );
        if (!task.taskToken) continue;
        const { item } = JSON.parse(task.input ?? '{}') as { item: string };
        await client.send(new SendTaskHeartbeatCommand({ taskToken: task.taskToken }));
        done.push({ item, worker: name });
        await client.send(
          new SendTaskSuccessCommand({
            taskToken: task.taskToken,
            output: JSON.stringify({ item, by: name }),
          }),
        );
      }
    };
    const started = Date.now();
    const workers = [worker('worker-a'), worker('worker-b')];

    // Act
    const results = await Promise.all(items.map((item) => world.run({ mode: 'activity', item })));
    stop = true;
    await Promise.all(workers);

    // Assess
    expect(results.map((result) => result.status)).toEqual(items.map(() => 'SUCCEEDED'));
    expect(results.map((result) => (result.output as { item: string }).item)).toEqual(items);
    expect(done.map((entry) => entry.item).sort()).toEqual([...items].sort());
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('loses no task when a worker hangs up mid-poll', async () => {
    // Prepare: a poll that the worker abandons, closing its connection.
    const hangingUp = new AbortController();
    const abandoned = sfn
      .send(new GetActivityTaskCommand({ activityArn: WORK_ACTIVITY_ARN, workerName: 'leaver' }), {
        abortSignal: hangingUp.signal,
      })
      .catch((error: unknown) => (error instanceof Error ? error.name : 'error'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    hangingUp.abort();
    await abandoned;

    // Act
    const running = world.run({ mode: 'activity', item: 'after-hangup' });
    let task: { taskToken?: string | undefined; input?: string | undefined } = {};
    while (!task.taskToken) {
      task = await sfn.send(
        new GetActivityTaskCommand({ activityArn: WORK_ACTIVITY_ARN, workerName: 'stayer' }),
      );
    }
    await sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"ok":true}' }));
    const result = await running;

    // Assess
    expect(await abandoned).toBe('AbortError');
    expect(JSON.parse(task.input ?? '{}')).toEqual({ item: 'after-hangup' });
    expect(result.output).toEqual({ ok: true });
  });

  it('notices a dead worker by HeartbeatSeconds on the virtual clock; the retry goes to a live worker', async () => {
    // Prepare: the first worker takes the task and dies holding it.
    const running = world.run({ mode: 'activity', item: 'orphaned' });
    let first: { taskToken?: string | undefined } = {};
    while (!first.taskToken) {
      first = await sfn.send(
        new GetActivityTaskCommand({ activityArn: WORK_ACTIVITY_ARN, workerName: 'dies' }),
      );
    }

    // Act: 31 virtual seconds without a heartbeat (HeartbeatSeconds 30), then a live worker polls.
    await world.stack.clock.advance(31_000);
    let second: { taskToken?: string | undefined; input?: string | undefined } = {};
    while (!second.taskToken) {
      second = await sfn.send(
        new GetActivityTaskCommand({ activityArn: WORK_ACTIVITY_ARN, workerName: 'lives' }),
      );
    }
    const lateFirst = await awsErrorOf(
      sfn.send(new SendTaskSuccessCommand({ taskToken: first.taskToken, output: '{"by":"dead"}' })),
    );
    await sfn.send(new SendTaskSuccessCommand({ taskToken: second.taskToken, output: '{"by":"live"}' }));
    const result = await running;

    // Assess
    expect(second.taskToken).not.toBe(first.taskToken);
    expect(JSON.parse(second.input ?? '{}')).toEqual({ item: 'orphaned' });
    expect(lateFirst).toBe('TaskTimedOut');
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ by: 'live' });
    expect(result.events.filter((event) => event.type === 'StateRetried')).toHaveLength(1);
  });
});
