// The task-token registry on a hand-driven clock: a token resolves exactly once, its deadlines fire
// on the clock given, and late, unknown and malformed tokens get AWS's refusals.
import { describe, expect, it } from 'vitest';
import { TaskFailure } from '../../../../../src/onprem/runner/errors.ts';
import {
  DueTimers,
  InvalidTaskTimeoutError,
  isWellFormedTaskToken,
  newTaskToken,
  TaskTokenRegistry,
} from '../../../../../src/onprem/runner/tasks/index.ts';

const EXECUTION = 'arn:aws:states:us-east-1:111122223333:execution:test:one';

/** A clock that moves only when told, and fires the registry's deadlines as it moves. */
function manualWorld(rememberClosed?: number) {
  let now = Date.parse('2027-03-01T00:00:00.000Z');
  const timers = new DueTimers();
  const clock = { now: () => new Date(now) };
  const registry = new TaskTokenRegistry({ clock, timers, rememberClosed });
  return {
    registry,
    timers,
    async advanceSeconds(seconds: number) {
      now += seconds * 1000;
      await timers.fire(new Date(now));
    },
  };
}

async function failureOf(outcome: Promise<unknown>): Promise<TaskFailure> {
  const error = await outcome.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof TaskFailure)) throw new Error(`expected a TaskFailure, got ${String(error)}`);
  return error;
}

describe('task tokens', () => {
  it('issues distinct, well-formed tokens of 256 random bits', () => {
    // Act
    const tokens = Array.from({ length: 1000 }, () => newTaskToken());

    // Assess
    expect(new Set(tokens).size).toBe(1000);
    expect(tokens.every(isWellFormedTaskToken)).toBe(true);
    expect(Buffer.from(tokens[0]?.split('.')[1] ?? '', 'base64url')).toHaveLength(32);
    expect(isWellFormedTaskToken('byok1.short')).toBe(false);
    expect(isWellFormedTaskToken(`${tokens[0]}x`)).toBe(false);
  });
});

describe('TaskTokenRegistry', () => {
  it('resolves the outcome with the output of the first SendTaskSuccess, and refuses the token afterwards', async () => {
    // Prepare
    const { registry } = manualWorld();
    const issued = registry.issue({ executionArn: EXECUTION, stateName: 'Approve' });

    // Act
    const first = registry.succeed(issued.token, '{"approved":true}');
    const again = registry.succeed(issued.token, '{"approved":false}');
    const failLater = registry.fail(issued.token, 'Rejected', 'too late');
    const heartbeatLater = registry.heartbeat(issued.token);

    // Assess
    await expect(issued.outcome).resolves.toEqual({ approved: true });
    expect(first).toEqual({ accepted: true });
    for (const late of [again, failLater, heartbeatLater]) {
      expect(late).toMatchObject({ accepted: false, error: 'TaskTimedOut' });
    }
    expect(registry.openTasks()).toEqual([]);
  });

  it('fails the outcome with the error name and cause of SendTaskFailure', async () => {
    // Prepare
    const { registry } = manualWorld();
    const issued = registry.issue({ executionArn: EXECUTION, stateName: 'Approve' });

    // Act
    const answer = registry.fail(issued.token, 'Rejected', 'the approver said no');

    // Assess
    expect(answer).toEqual({ accepted: true });
    const failure = await failureOf(issued.outcome);
    expect([failure.name, failure.message]).toEqual(['Rejected', 'the approver said no']);
  });

  it('refuses output that is not JSON without closing the task', async () => {
    // Prepare
    const { registry } = manualWorld();
    const issued = registry.issue({ executionArn: EXECUTION, stateName: 'Approve' });

    // Act
    const refused = registry.succeed(issued.token, '{not json');
    const accepted = registry.succeed(issued.token, '"fine"');

    // Assess
    expect(refused).toMatchObject({ accepted: false, error: 'InvalidOutput' });
    expect(accepted).toEqual({ accepted: true });
    await expect(issued.outcome).resolves.toBe('fine');
  });

  it.each([
    ['a malformed token', 'not-a-token', 'InvalidToken'],
    ['an empty string', '', 'InvalidToken'],
    ['a well-formed token it never issued', newTaskToken(), 'TaskDoesNotExist'],
  ])('answers %s with %s', (_case, token, error) => {
    // Prepare
    const { registry } = manualWorld();
    registry.issue({ executionArn: EXECUTION, stateName: 'Approve' });

    // Act
    const answers = [registry.succeed(token, '{}'), registry.fail(token, 'E'), registry.heartbeat(token)];

    // Assess
    for (const answer of answers) expect(answer).toMatchObject({ accepted: false, error });
  });

  it('fails with States.Timeout when TimeoutSeconds pass on its clock, and then answers TaskTimedOut', async () => {
    // Prepare
    const { registry, advanceSeconds } = manualWorld();
    const issued = registry.issue({ executionArn: EXECUTION, stateName: 'Approve', timeoutSeconds: 3600 });

    // Act
    await advanceSeconds(3599);
    const stillOpen = registry.isOpen(issued.token);
    await advanceSeconds(1);

    // Assess
    expect(stillOpen).toBe(true);
    expect((await failureOf(issued.outcome)).name).toBe('States.Timeout');
    expect(registry.succeed(issued.token, '{}')).toMatchObject({ accepted: false, error: 'TaskTimedOut' });
  });

  it('keeps a task alive while heartbeats come, and fails it with States.HeartbeatTimeout when they stop', async () => {
    // Prepare
    const { registry, advanceSeconds } = manualWorld();
    const issued = registry.issue({
      executionArn: EXECUTION,
      stateName: 'Wrap',
      heartbeatSeconds: 60,
      timeoutSeconds: 3600,
    });

    // Act: five heartbeats 50 s apart (250 s > 60 s), then silence.
    for (let beat = 0; beat < 5; beat++) {
      await advanceSeconds(50);
      expect(registry.heartbeat(issued.token)).toEqual({ accepted: true });
    }
    const aliveAfterBeats = registry.isOpen(issued.token);
    await advanceSeconds(60);

    // Assess
    expect(aliveAfterBeats).toBe(true);
    expect((await failureOf(issued.outcome)).name).toBe('States.HeartbeatTimeout');
    expect(registry.heartbeat(issued.token)).toMatchObject({ accepted: false, error: 'TaskTimedOut' });
  });

  it("starts an activity's heartbeat clock only when a worker takes the task", async () => {
    // Prepare
    const { registry, advanceSeconds } = manualWorld();
    const issued = registry.issue({
      executionArn: EXECUTION,
      stateName: 'Wrap',
      heartbeatSeconds: 10,
      timeoutSeconds: 600,
      heartbeatFrom: 'start',
    });

    // Act
    await advanceSeconds(100);
    const openBeforeTaken = registry.isOpen(issued.token);
    registry.startHeartbeat(issued.token);
    await advanceSeconds(10);

    // Assess
    expect(openBeforeTaken).toBe(true);
    expect((await failureOf(issued.outcome)).name).toBe('States.HeartbeatTimeout');
  });

  it('closes the open tasks of an execution that ended; their tokens get TaskTimedOut, others stay open', () => {
    // Prepare
    const { registry, timers } = manualWorld();
    const ended = registry.issue({ executionArn: EXECUTION, stateName: 'A', timeoutSeconds: 60 });
    const other = registry.issue({ executionArn: `${EXECUTION}-2`, stateName: 'A', timeoutSeconds: 60 });

    // Act
    registry.cancelExecution(EXECUTION);

    // Assess
    expect(registry.succeed(ended.token, '{}')).toMatchObject({ accepted: false, error: 'TaskTimedOut' });
    expect(registry.isOpen(other.token)).toBe(true);
    expect(timers.size).toBe(1);
  });

  it('forgets the oldest closed tokens beyond its memory (then TaskDoesNotExist)', () => {
    // Prepare
    const { registry } = manualWorld(2);
    const tokens = [1, 2, 3].map(() => registry.issue({ executionArn: EXECUTION, stateName: 'A' }).token);

    // Act
    for (const token of tokens) registry.succeed(token, '{}');

    // Assess
    expect(tokens.map((token) => registry.heartbeat(token))).toMatchObject([
      { error: 'TaskDoesNotExist' },
      { error: 'TaskTimedOut' },
      { error: 'TaskTimedOut' },
    ]);
  });

  it.each([
    [{ timeoutSeconds: 0 }],
    [{ timeoutSeconds: 1.5 }],
    [{ heartbeatSeconds: 60, timeoutSeconds: 60 }],
    [{ heartbeatSeconds: -1 }],
  ])('refuses timeouts Step Functions refuses: %o', (timeouts) => {
    // Prepare
    const { registry } = manualWorld();

    // Act
    const act = () => registry.issue({ executionArn: EXECUTION, stateName: 'A', ...timeouts });

    // Assess
    expect(act).toThrow(InvalidTaskTimeoutError);
    expect(registry.openTasks()).toEqual([]);
  });

  it('resolves exactly once when many answers race', async () => {
    // Prepare
    const { registry } = manualWorld();
    const issued = registry.issue({ executionArn: EXECUTION, stateName: 'A' });

    // Act
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        Promise.resolve().then(() =>
          index % 2 === 0 ? registry.succeed(issued.token, String(index)) : registry.fail(issued.token, 'E'),
        ),
      ),
    );

    // Assess
    expect(answers.filter((answer) => answer.accepted)).toHaveLength(1);
    await expect(issued.outcome).resolves.toBe(0);
  });
});
