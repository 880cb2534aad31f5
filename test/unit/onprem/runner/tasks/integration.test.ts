// How the runner runs token states through the interpreter: the definition it hands over, one
// token per run of a state (a Map of activity tasks), and the refusals at run start.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerDeps, runExecution } from '../../../../../src/onprem/runner/run-execution.ts';
import {
  DueTimers,
  prepareTokenStates,
  TaskTokenService,
  TaskTokenServiceMissingError,
  UnsupportedCallbackResourceError,
} from '../../../../../src/onprem/runner/tasks/index.ts';

/** Only the clock and task service: these runs call no step that needs KMS or an HSM. */
const runnerDeps = (deps: Record<string, unknown>) => deps as unknown as RunnerDeps;

const clock = { now: () => new Date('2027-03-01T00:00:00.000Z') };
const ACTIVITY = 'arn:aws:states:us-east-1:111122223333:activity:fan-out';
let dir: string;

async function writeMachine(name: string, definition: unknown): Promise<string> {
  const path = join(dir, `${name}.asl.json`);
  await writeFile(path, JSON.stringify(definition));
  return path;
}

const MAP_OF_ACTIVITIES = {
  StartAt: 'Each',
  States: {
    Each: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 0,
      ItemProcessor: {
        StartAt: 'Work',
        States: {
          Work: {
            Type: 'Task',
            Resource: ACTIVITY,
            Parameters: { 'item.$': '$', 'echo.$': '$$.Task.Token' },
            TimeoutSeconds: 300,
            HeartbeatSecondsPath: '$.beat',
            End: true,
          },
        },
      },
      End: true,
    },
  },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'byok-token-states-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('prepareTokenStates', () => {
  it('wraps token states (nested ones too) and leaves other states as they are', () => {
    // Act
    const prepared = prepareTokenStates(MAP_OF_ACTIVITIES);
    const each = prepared.States.Each as {
      ItemProcessor: { States: Record<string, Record<string, unknown>> };
    };
    const work = each.ItemProcessor.States.Work;

    // Assess
    expect(work).toMatchObject({
      Type: 'Task',
      Resource: ACTIVITY,
      Parameters: {
        parameters: { 'item.$': '$', 'echo.$': '$$.Task.Token' },
        timeoutSeconds: 300,
        'heartbeatSeconds.$': '$.beat',
      },
      TimeoutSeconds: 2_147_483,
    });
    expect(work).not.toHaveProperty('HeartbeatSecondsPath');
    expect(prepared.States.Each).toMatchObject({ Type: 'Map', ItemsPath: '$.items' });
    expect(MAP_OF_ACTIVITIES.States.Each.ItemProcessor.States.Work.TimeoutSeconds).toBe(300);
  });
});

describe('token states in a run', () => {
  it('issues one token per run of the state, and the task input carries its own token', async () => {
    // Prepare
    const path = await writeMachine('map-of-activities', MAP_OF_ACTIVITIES);
    const tasks = new TaskTokenService({ clock, timers: new DueTimers() });
    const items = [
      { beat: 60, n: 1 },
      { beat: 60, n: 2 },
      { beat: 60, n: 3 },
    ];
    const running = runExecution({
      stateMachine: path,
      input: { items },
      deps: runnerDeps({ clock, tasks }),
    });

    // Act: a worker in-process takes each task and echoes what it got.
    const seen: Array<{ token: string; input: { item: { n: number }; echo: string } }> = [];
    while (seen.length < items.length) {
      const delivery = await tasks.getActivityTask(ACTIVITY, { waitMs: 1000 });
      if (!delivery) continue;
      const input = JSON.parse(delivery.task.input) as { item: { n: number }; echo: string };
      seen.push({ token: delivery.task.taskToken, input });
      tasks.sendTaskSuccess(delivery.task.taskToken, JSON.stringify({ n: input.item.n }));
    }
    const result = await running;

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(new Set(seen.map((entry) => entry.token)).size).toBe(3);
    for (const entry of seen) expect(entry.input.echo).toBe(entry.token);
    expect(tasks.registry.openTasks()).toEqual([]);
  });

  it('fails the state as States.Runtime when a *Path timeout is not one Step Functions accepts', async () => {
    // Prepare
    const path = await writeMachine('bad-heartbeat', MAP_OF_ACTIVITIES);
    const tasks = new TaskTokenService({ clock, timers: new DueTimers() });

    // Act
    const result = await runExecution({
      stateMachine: path,
      input: { items: [{ beat: 600 }] },
      deps: runnerDeps({ clock, tasks }),
    });

    // Assess: HeartbeatSeconds 600 is not below TimeoutSeconds 300.
    expect([result.status, result.error]).toEqual(['FAILED', 'States.Runtime']);
    expect(tasks.activities.queued(ACTIVITY)).toEqual([]);
  });

  it('refuses at start a run whose deps have no task-token service', async () => {
    // Prepare
    const path = await writeMachine('no-service', MAP_OF_ACTIVITIES);

    // Act
    const act = runExecution({ stateMachine: path, input: { items: [] }, deps: runnerDeps({ clock }) });

    // Assess
    await expect(act).rejects.toBeInstanceOf(TaskTokenServiceMissingError);
  });

  it('refuses at start a .waitForTaskToken resource whose base integration the runner lacks', async () => {
    // Prepare
    const path = await writeMachine('sns-callback', {
      StartAt: 'Notify',
      States: {
        Notify: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sns:publish.waitForTaskToken',
          Parameters: { TopicArn: 'arn:aws:sns:us-east-1:111122223333:t', 'Message.$': '$$.Task.Token' },
          End: true,
        },
      },
    });
    const tasks = new TaskTokenService({ clock, timers: new DueTimers() });

    // Act
    const act = runExecution({ stateMachine: path, input: {}, deps: runnerDeps({ clock, tasks }) });

    // Assess
    await expect(act).rejects.toBeInstanceOf(UnsupportedCallbackResourceError);
  });
});
