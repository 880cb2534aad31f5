// `.waitForTaskToken` end to end: the real runner executes a test state machine whose
// events:putEvents.waitForTaskToken state publishes $$.Task.Token on the local EventBridge; the test
// answers with the real SFN client over HTTP (SendTaskSuccess/Failure/Heartbeat), and deadlines
// fire on the stack's virtual clock.
import {
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTaskToken } from '../../../src/onprem/runner/tasks/index.ts';
import { startTaskWorld, type TaskWorld } from '../../helpers/task-world.ts';

async function awsErrorOf(sending: Promise<unknown>): Promise<string> {
  const error = await sending.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected the request to be refused');
  return error.name;
}

describe('waitForTaskToken through the local Step Functions API', () => {
  let world: TaskWorld;
  let sfn: SFNClient;

  beforeAll(async () => {
    world = await startTaskWorld();
    sfn = world.sfn;
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('publishes the task token and succeeds with the SendTaskSuccess output; the token is then refused', async () => {
    // Prepare
    const running = world.run({
      mode: 'callback',
      request: 'approve-1',
      timeoutSeconds: 3600,
      heartbeatSeconds: 600,
    });
    const { taskToken, link } = await world.eventFor('approve-1');

    // Act
    await sfn.send(
      new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ approved: true, votes: 2 }) }),
    );
    const result = await running;
    const reuse = await awsErrorOf(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })));
    const lateFailure = await awsErrorOf(
      sfn.send(new SendTaskFailureCommand({ taskToken, error: 'Rejected' })),
    );

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ outcome: 'answered', answer: { approved: true, votes: 2 } });
    expect(link).toBe(`https://approvals.example/${taskToken}`);
    expect([reuse, lateFailure]).toEqual(['TaskTimedOut', 'TaskTimedOut']);
  });

  it('fails the state with the SendTaskFailure error, which the Catch matches by name', async () => {
    // Prepare
    const running = world.run({
      mode: 'callback',
      request: 'reject-1',
      timeoutSeconds: 3600,
      heartbeatSeconds: 600,
    });
    const { taskToken } = await world.eventFor('reject-1');

    // Act
    await sfn.send(new SendTaskFailureCommand({ taskToken, error: 'Rejected', cause: 'not this quarter' }));
    const result = await running;

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual({ outcome: 'rejected', error: 'Rejected', cause: 'not this quarter' });
  });

  it('lets States.TaskFailed catch any other SendTaskFailure error', async () => {
    // Prepare
    const running = world.run({
      mode: 'callback',
      request: 'other-1',
      timeoutSeconds: 3600,
      heartbeatSeconds: 600,
    });
    const { taskToken } = await world.eventFor('other-1');

    // Act
    await sfn.send(new SendTaskFailureCommand({ taskToken, error: 'Byok.ApproverUnavailable' }));
    const result = await running;

    // Assess
    expect(result.output).toEqual({ outcome: 'task-failed', error: 'Byok.ApproverUnavailable' });
  });

  it('stays alive while heartbeats come in time on the virtual clock', async () => {
    // Prepare
    const running = world.run({
      mode: 'callback',
      request: 'beat-1',
      timeoutSeconds: 3600,
      heartbeatSeconds: 60,
    });
    const { taskToken } = await world.eventFor('beat-1');

    // Act: four heartbeats 45 virtual seconds apart (180 s in all, three times HeartbeatSeconds).
    for (let beat = 0; beat < 4; beat++) {
      await world.stack.clock.advance(45_000);
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken }));
    }
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: '"done"' }));
    const result = await running;

    // Assess
    expect(result.output).toEqual({ outcome: 'answered', answer: 'done' });
  });

  it('fails with States.HeartbeatTimeout when the virtual clock passes HeartbeatSeconds without a heartbeat', async () => {
    // Prepare
    const started = Date.now();
    const running = world.run({
      mode: 'callback',
      request: 'silent-1',
      timeoutSeconds: 259_200,
      heartbeatSeconds: 3600,
    });
    const { taskToken } = await world.eventFor('silent-1');

    // Act
    await world.stack.clock.advance(3_599_000);
    const heartbeatInTime = await sfn
      .send(new SendTaskHeartbeatCommand({ taskToken }))
      .then(() => 'accepted');
    await world.stack.clock.advance(3_601_000);
    const result = await running;
    const late = await awsErrorOf(sfn.send(new SendTaskHeartbeatCommand({ taskToken })));

    // Assess: two virtual hours passed in well under a real minute.
    expect(heartbeatInTime).toBe('accepted');
    expect(result.output).toEqual({ outcome: 'heartbeat-timeout', error: 'States.HeartbeatTimeout' });
    expect(late).toBe('TaskTimedOut');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('fails with States.Timeout at TimeoutSeconds even while heartbeats keep coming', async () => {
    // Prepare
    const running = world.run({
      mode: 'callback',
      request: 'slow-1',
      timeoutSeconds: 259_200,
      heartbeatSeconds: 86_400,
    });
    const { taskToken } = await world.eventFor('slow-1');

    // Act: a heartbeat every 20 virtual hours, past the 72-hour TimeoutSeconds.
    for (let beat = 0; beat < 3; beat++) {
      await world.stack.clock.advance(72_000_000);
      await sfn.send(new SendTaskHeartbeatCommand({ taskToken }));
    }
    await world.stack.clock.advance(72_000_000);
    const result = await running;

    // Assess: the States.TaskFailed catcher, listed first, does not match a timeout (as on AWS).
    expect(result.output).toEqual({ outcome: 'timeout', error: 'States.Timeout' });
  });

  it("answers AWS's errors for tokens and outputs it cannot take", async () => {
    // Prepare
    const running = world.run({
      mode: 'callback',
      request: 'errors-1',
      timeoutSeconds: 3600,
      heartbeatSeconds: 600,
    });
    const { taskToken } = await world.eventFor('errors-1');

    // Act
    const refusals = {
      malformed: await awsErrorOf(
        sfn.send(new SendTaskSuccessCommand({ taskToken: 'forged', output: '{}' })),
      ),
      unknown: await awsErrorOf(sfn.send(new SendTaskHeartbeatCommand({ taskToken: newTaskToken() }))),
      notJson: await awsErrorOf(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{nope' }))),
      tooLong: await awsErrorOf(sfn.send(new SendTaskHeartbeatCommand({ taskToken: 'x'.repeat(2049) }))),
      longError: await awsErrorOf(
        sfn.send(new SendTaskFailureCommand({ taskToken, error: 'E'.repeat(257) })),
      ),
    };
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{"still":"open"}' }));
    const result = await running;

    // Assess: none of the refused requests closed the task.
    expect(refusals).toEqual({
      malformed: 'InvalidToken',
      unknown: 'TaskDoesNotExist',
      notJson: 'InvalidOutput',
      tooLong: 'ValidationException',
      longError: 'ValidationException',
    });
    expect(result.output).toEqual({ outcome: 'answered', answer: { still: 'open' } });
  });

  it('closes the token when its execution is stopped (a late answer gets TaskTimedOut)', async () => {
    // Prepare
    const controller = new AbortController();
    const running = world.run(
      { mode: 'callback', request: 'stopped-1', timeoutSeconds: 3600, heartbeatSeconds: 600 },
      controller.signal,
    );
    const { taskToken } = await world.eventFor('stopped-1');

    // Act
    controller.abort();
    const result = await running;
    const late = await awsErrorOf(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })));

    // Assess
    expect(result.status).toBe('ABORTED');
    expect(late).toBe('TaskTimedOut');
    expect(world.tasks.registry.openTasks()).toEqual([]);
  });
});
