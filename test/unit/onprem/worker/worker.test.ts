// The worker's loop against a mocked Step Functions client: AWS or network failures are retried
// with full-jitter backoff (never a tight loop, never a crash), a task it cannot read is answered
// with SendTaskFailure under the error's name, and stop() ends the loop. An answer that could not
// be sent is logged as undelivered, one Step Functions refused as refused: never one for the other.

import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { GetActivityTaskCommand, SendTaskFailureCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../../src/core/clock.ts';
import { silentLogger } from '../../../../src/core/step-kernel/logger.ts';
import { fullJitterDelayMs } from '../../../../src/onprem/worker/backoff.ts';
import { KeyBindings } from '../../../../src/onprem/worker/bindings.ts';
import { ActivityWorker, type TaskLogLine } from '../../../../src/onprem/worker/worker.ts';

const ACTIVITY = 'arn:aws:states:us-east-1:111122223333:activity:byok-wrap-key-material';

function connectionRefused(): Error {
  const error = new Error('connect ECONNREFUSED 127.0.0.1:4599');
  error.name = 'Error';
  return error;
}

describe('full-jitter backoff', () => {
  it('waits between 0 and min(cap, base * 2^(attempt-1))', () => {
    // Act
    const highest = [1, 2, 3, 10].map((attempt) =>
      fullJitterDelayMs(attempt, { baseMs: 100, capMs: 1000 }, () => 0.999999),
    );
    const lowest = fullJitterDelayMs(5, { baseMs: 100, capMs: 1000 }, () => 0);

    // Assess
    expect(highest).toEqual([99, 199, 399, 999]);
    expect(lowest).toBe(0);
  });
});

/** A worker on mocked clients, no HSM and no bindings: its task lines go to `lines`, its notes to `note`. */
function unitWorker(
  backoff: { baseMs: number; capMs: number },
  lines: TaskLogLine[],
  note: (message: string, fields?: Record<string, unknown>) => void,
): ActivityWorker {
  return new ActivityWorker(
    {
      activities: [{ step: 'wrap-key-material', activityArn: ACTIVITY }],
      workerName: 'unit',
      concurrency: 1,
      heartbeatIntervalMs: 1000,
      backoff,
    },
    {
      sfn: new SFNClient({ region: 'us-east-1' }),
      kms: new KMSClient({ region: 'us-east-1' }),
      events: new EventBridgeClient({ region: 'us-east-1' }),
      hsm: {} as never,
      bindings: new KeyBindings([], true),
      journal: {
        madeFor: async () => undefined,
        ever: async () => false,
        recordCreated: async () => {},
        recordDestroyed: async () => {},
      },
      clock: systemClock,
      logger: silentLogger,
      logTask: (line) => lines.push(line),
      note,
    },
  );
}

/** A worker on mocked clients: one unreadable task, then stop; its task lines and notes. */
const sfnMock = () => mockClient(SFNClient);
async function oneTaskWorker(sfn: ReturnType<typeof sfnMock>) {
  const lines: TaskLogLine[] = [];
  const notes: string[] = [];
  let worker: ActivityWorker | undefined;
  sfn
    .on(GetActivityTaskCommand)
    .resolvesOnce({ taskToken: 'token-1', input: 'not json' })
    .callsFake(async () => {
      worker?.stop();
      return {};
    });
  const events = mockClient(EventBridgeClient);
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
  worker = unitWorker({ baseMs: 1, capMs: 2 }, lines, (message) => notes.push(message));
  await worker.run();
  events.restore();
  return { lines, notes };
}

describe('ActivityWorker answers', () => {
  it('logs an answer it could not send as answer-undelivered, not as refused by Step Functions', async () => {
    // Prepare
    const sfn = sfnMock();
    sfn.on(SendTaskFailureCommand).rejects(connectionRefused());

    // Act
    const { lines, notes } = await oneTaskWorker(sfn);

    // Assess
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(6);
    expect(lines).toEqual([expect.objectContaining({ outcome: 'answer-undelivered' })]);
    expect(notes).toContain('giving up on answering the task');
    sfn.restore();
  });

  it('logs an answer Step Functions refused (the task timed out) as answer-refused', async () => {
    // Prepare
    const sfn = sfnMock();
    const timedOut = new Error('Task Timed Out');
    timedOut.name = 'TaskTimedOut';
    sfn.on(SendTaskFailureCommand).rejects(timedOut);

    // Act
    const { lines } = await oneTaskWorker(sfn);

    // Assess
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(1);
    expect(lines).toEqual([expect.objectContaining({ outcome: 'answer-refused' })]);
    sfn.restore();
  });
});

describe('ActivityWorker', () => {
  it('reconnects after failures with backoff, answers an unreadable task by name, and stops', async () => {
    // Prepare
    const sfn = mockClient(SFNClient);
    const notes: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const lines: TaskLogLine[] = [];
    let worker: ActivityWorker | undefined;
    sfn
      .on(GetActivityTaskCommand)
      .rejectsOnce(connectionRefused())
      .rejectsOnce(connectionRefused())
      .resolvesOnce({ taskToken: 'token-1', input: '{"importParameters": {"keyId": 1}}' })
      .callsFake(async () => {
        worker?.stop();
        return {};
      });
    sfn.on(SendTaskFailureCommand).resolves({});
    const events = mockClient(EventBridgeClient);
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0 });
    worker = unitWorker({ baseMs: 5, capMs: 20 }, lines, (message, fields) =>
      notes.push({ message, fields }),
    );

    // Act
    await worker.run();

    // Assess
    const reconnects = notes.filter((note) => note.message.startsWith('GetActivityTask failed'));
    expect(reconnects.map((note) => note.fields?.attempt)).toEqual([1, 2]);
    for (const note of reconnects) expect(note.fields?.waitMs).toBeLessThan(20);
    const failures = sfn.commandCalls(SendTaskFailureCommand).map((call) => call.args[0].input);
    expect(failures).toEqual([
      expect.objectContaining({ taskToken: 'token-1', error: 'WorkerTaskInputError' }),
    ]);
    // An unreadable task is a refused one: answered, logged and alerted without any of its text.
    expect(lines).toEqual([expect.objectContaining({ outcome: 'refused', error: 'WorkerTaskInputError' })]);
    const alerts = events
      .commandCalls(PutEventsCommand)
      .map((call) => JSON.parse(call.args[0].input.Entries?.[0]?.Detail ?? '{}'));
    expect(alerts).toEqual([
      expect.objectContaining({ error: 'WorkerTaskInputError', keyId: '(not read: input refused)' }),
    ]);
    expect(sfn.commandCalls(GetActivityTaskCommand)).toHaveLength(4);
    sfn.restore();
    events.restore();
  });
});
