// GetActivityTask's delivery guarantee at the API's edge: a task taken for a poll whose answer
// never reached the worker (the connection closed first) goes back to the queue for the next poll.
import { describe, expect, it } from 'vitest';
import { LocalActivities } from '../../../../src/local/stepfunctions/activities.ts';
import { DueTimers, TaskTokenService } from '../../../../src/onprem/runner/tasks/index.ts';

const EXECUTION = 'arn:aws:states:us-east-1:111122223333:execution:test:one';

function world() {
  const clock = { now: () => new Date('2027-03-01T00:00:00.000Z') };
  const tasks = new TaskTokenService({ clock, timers: new DueTimers() });
  const activities = new LocalActivities({
    region: 'us-east-1',
    accountId: '111122223333',
    clock,
    tasks,
    pollMs: 200,
  });
  const { activityArn } = activities.createActivity({ name: 'work' });
  return { tasks, activities, activityArn };
}

function requestContext(responded: Promise<boolean>, signal?: AbortSignal) {
  return { region: 'us-east-1', accountId: '111122223333', requestId: 'r', responded, signal };
}

describe('LocalActivities.getActivityTask', () => {
  it('hands a task back when its answer was not written, so the next poll gets it', async () => {
    // Prepare
    const { tasks, activities, activityArn } = world();
    const issued = tasks.startActivityTask({
      executionArn: EXECUTION,
      stateName: 'Work',
      activityArn,
      input: { n: 1 },
    });

    // Act
    const lost = await activities.getActivityTask({ activityArn }, requestContext(Promise.resolve(false)));
    await Promise.resolve();
    const next = await activities.getActivityTask({ activityArn }, requestContext(Promise.resolve(true)));
    const after = await activities.getActivityTask({ activityArn }, requestContext(Promise.resolve(true)));

    // Assess
    expect(lost).toEqual({ taskToken: issued.token, input: '{"n":1}' });
    expect(next).toEqual({ taskToken: issued.token, input: '{"n":1}' });
    expect(after).toEqual({});
  });

  it('hands a task back when the poller left while it was being taken', async () => {
    // Prepare
    const { tasks, activities, activityArn } = world();
    const gone = new AbortController();
    const polling = activities.getActivityTask(
      { activityArn },
      requestContext(new Promise(() => {}), gone.signal),
    );

    // Act: the task arrives and the client hangs up in the same turn.
    const issued = tasks.startActivityTask({
      executionArn: EXECUTION,
      stateName: 'Work',
      activityArn,
      input: {},
    });
    gone.abort();
    await polling;
    const next = await activities.getActivityTask({ activityArn }, requestContext(Promise.resolve(true)));

    // Assess
    expect(next).toMatchObject({ taskToken: issued.token });
  });

  it('refuses a worker name longer than 80 characters', async () => {
    // Prepare
    const { activities, activityArn } = world();

    // Act
    const act = activities.getActivityTask({ activityArn, workerName: 'w'.repeat(81) });

    // Assess
    await expect(act).rejects.toMatchObject({ type: 'ValidationException' });
  });
});
