// The activity task queue: each task goes to exactly one poller, in order; a poller that goes away
// takes nothing; a task handed back (its poller never got the answer) goes to the next poller.
import { describe, expect, it } from 'vitest';
import { ActivityTaskQueue } from '../../../../../src/onprem/runner/tasks/index.ts';

const ARN = 'arn:aws:states:us-east-1:111122223333:activity:work';

function task(index: number) {
  return { activityArn: ARN, taskToken: `token-${index}`, input: JSON.stringify({ index }) };
}

describe('ActivityTaskQueue', () => {
  it('hands queued tasks out oldest first, one per take', async () => {
    // Prepare
    const queue = new ActivityTaskQueue();
    for (const index of [1, 2, 3]) queue.enqueue(task(index));

    // Act
    const taken = await Promise.all([1, 2, 3].map(() => queue.take(ARN, { waitMs: 10 })));

    // Assess
    expect(taken.map((delivery) => delivery?.task.taskToken)).toEqual(['token-1', 'token-2', 'token-3']);
    expect(queue.queued(ARN)).toEqual([]);
  });

  it('gives a new task to the longest-waiting poller only', async () => {
    // Prepare
    const queue = new ActivityTaskQueue();
    const first = queue.take(ARN, { waitMs: 1000 });
    const second = queue.take(ARN, { waitMs: 50 });

    // Act
    queue.enqueue(task(1));

    // Assess
    expect((await first)?.task.taskToken).toBe('token-1');
    expect(await second).toBeUndefined();
  });

  it('takes nothing for a poller that aborted, and keeps the task for the next one', async () => {
    // Prepare
    const queue = new ActivityTaskQueue();
    const gone = new AbortController();
    const abandoned = queue.take(ARN, { waitMs: 10_000, signal: gone.signal });
    gone.abort();

    // Act
    queue.enqueue(task(1));
    const next = await queue.take(ARN, { waitMs: 10 });

    // Assess
    expect(await abandoned).toBeUndefined();
    expect(next?.task.taskToken).toBe('token-1');
  });

  it('puts an undelivered task back in front, and reports taking and returning', async () => {
    // Prepare
    const seen: string[] = [];
    const queue = new ActivityTaskQueue({
      onTaken: (taken) => seen.push(`taken ${taken.taskToken}`),
      onReturned: (returned) => seen.push(`returned ${returned.taskToken}`),
    });
    queue.enqueue(task(1));
    queue.enqueue(task(2));
    const lost = await queue.take(ARN, { waitMs: 10 });

    // Act
    lost?.undelivered();
    lost?.undelivered();
    const again = await queue.take(ARN, { waitMs: 10 });

    // Assess
    expect(again?.task.taskToken).toBe('token-1');
    expect(seen).toEqual(['taken token-1', 'returned token-1', 'taken token-1']);
  });

  it('never hands out a task whose token has closed', async () => {
    // Prepare
    const open = new Set(['token-2']);
    const queue = new ActivityTaskQueue({ isOpen: (token) => open.has(token) });
    queue.enqueue(task(1));
    queue.enqueue(task(2));
    queue.enqueue(task(3));
    queue.withdraw('token-3');

    // Act
    const taken = await queue.take(ARN, { waitMs: 10 });
    const nothing = await queue.take(ARN, { waitMs: 10 });

    // Assess
    expect(taken?.task.taskToken).toBe('token-2');
    expect(nothing).toBeUndefined();
  });

  it('ends waiting polls empty when closed', async () => {
    // Prepare
    const queue = new ActivityTaskQueue();
    const waiting = queue.take(ARN, { waitMs: 60_000 });

    // Act
    queue.close();

    // Assess
    expect(await waiting).toBeUndefined();
  });
});
