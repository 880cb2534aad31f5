// Runs on simulated time (bench/fleet.ts's): Wait states sleep on the run's timers, time stands
// still while a Task is in flight and jumps to the next sleeper when everything waits.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedTime } from '../../../../src/local/simulated-time.ts';
import { type RunnerDeps, runExecution } from '../../../../src/onprem/runner/run-execution.ts';
import { rewriteWaitStates, VIRTUAL_WAIT_RESOURCE } from '../../../../src/onprem/runner/virtual-waits.ts';

const START = Date.parse('2027-01-10T12:00:00.000Z');
let dir: string;

function depsOn(time: SimulatedTime): RunnerDeps {
  return {
    clock: { now: () => new Date(time.now()) },
    timers: time,
    activity: time,
  } as unknown as RunnerDeps;
}

async function writeMachine(name: string, definition: unknown): Promise<string> {
  const path = join(dir, `${name}.asl.json`);
  await writeFile(path, JSON.stringify(definition));
  return path;
}

describe('simulated time', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'byok-simulated-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('wakes sleepers in order, each at its own instant, and never before', async () => {
    // Prepare
    const time = new SimulatedTime({ startMs: START });
    const woken: [string, number][] = [];
    const sleep = (name: string, atMs: number) =>
      time.sleepUntil(atMs).then(() => {
        woken.push([name, time.now()]);
      });

    // Act
    const all = Promise.all([
      sleep('late', START + 5000),
      sleep('early', START + 1000),
      sleep('past', START - 1),
    ]);
    await time.drive(all, { quietMs: 2 });

    // Assess
    expect(woken).toEqual([
      ['past', START],
      ['early', START + 1000],
      ['late', START + 5000],
    ]);
    expect(time.jumps).toBe(2);
  });

  it('stands still while work is in flight', async () => {
    // Prepare
    const time = new SimulatedTime({ startMs: START });
    const end = time.begin();
    let wokenAt: number | undefined;
    const sleeping = time.sleepUntil(START + 1000).then(() => {
      wokenAt = time.now();
    });
    const driving = time.drive(sleeping, { quietMs: 2 });

    // Act
    await new Promise((resolve) => setTimeout(resolve, 30));
    const whileBusy = { now: time.now(), woken: wokenAt };
    end();
    await driving;

    // Assess
    expect(whileBusy).toEqual({ now: START, woken: undefined });
    expect(wokenAt).toBe(START + 1000);
  });

  it('turns every Wait state into a Task that keeps its paths and transitions', () => {
    // Prepare
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'Slot',
            States: {
              Slot: { Type: 'Wait', TimestampPath: '$.at', InputPath: '$.item', Next: 'Done' },
              Done: { Type: 'Pass', End: true },
            },
          },
          Next: 'Pause',
        },
        Pause: { Type: 'Wait', Seconds: 10, OutputPath: '$.kept', End: true },
      },
    };

    // Act
    const rewritten = rewriteWaitStates(definition);

    // Assess
    expect(rewritten.States.Pause).toEqual({
      Type: 'Task',
      Resource: VIRTUAL_WAIT_RESOURCE,
      Parameters: { 'input.$': '$', seconds: 10 },
      TimeoutSeconds: 2_147_483,
      OutputPath: '$.kept',
      End: true,
    });
    expect(rewritten.States.Each?.ItemProcessor?.States.Slot).toEqual({
      Type: 'Task',
      Resource: VIRTUAL_WAIT_RESOURCE,
      Parameters: { 'input.$': '$', 'timestamp.$': '$.at' },
      TimeoutSeconds: 2_147_483,
      InputPath: '$.item',
      Next: 'Done',
    });
    expect(definition.States.Pause.Type).toBe('Wait');
  });

  it('leaves no real-time timeout: work takes no simulated time, so a real timer would time this machine', () => {
    // Prepare
    const definition = {
      StartAt: 'Work',
      TimeoutSeconds: 900,
      States: {
        Work: { Type: 'Task', Resource: 'arn:aws:states:::events:putEvents', TimeoutSeconds: 30, End: true },
      },
    };

    // Act
    const rewritten = rewriteWaitStates(definition);

    // Assess
    expect(rewritten.TimeoutSeconds).toBe(2_147_483);
    expect(rewritten.States.Work?.TimeoutSeconds).toBe(2_147_483);
  });

  it('lets only `concurrency` tasks run at once, the others counted in flight while they wait', async () => {
    // Prepare
    const time = new SimulatedTime({ startMs: START, concurrency: 1 });
    const order: string[] = [];
    const endFirst = await time.slot();
    const second = time.slot().then((end) => {
      order.push('second runs');
      return end;
    });
    const woken = time.sleepUntil(START + 1000).then(() => order.push('time moved'));
    const driving = time.drive(woken, { quietMs: 2 });

    // Act
    await new Promise((resolve) => setTimeout(resolve, 30));
    order.push('first ends');
    endFirst();
    (await second)();
    await driving;

    // Assess
    expect(order).toEqual(['first ends', 'second runs', 'time moved']);
  });

  it('runs Wait states on the run timers: paced slots in simulated time, in no real time', async () => {
    // Prepare: three items, each waiting for its own slot (TimestampPath), then a 3600 s Wait.
    const time = new SimulatedTime({ startMs: START });
    const slots = [0, 1000, 2000].map((offset) => new Date(START + offset).toISOString());
    const path = await writeMachine('paced', {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.slots',
          ItemSelector: { 'at.$': '$$.Map.Item.Value' },
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'WaitForSlot',
            States: {
              WaitForSlot: { Type: 'Wait', TimestampPath: '$.at', Next: 'Stamp' },
              Stamp: {
                Type: 'Task',
                Resource: 'arn:aws:states:::events:putEvents',
                Parameters: { Entries: [{ Source: 'byok', DetailType: 'slot', 'Detail.$': '$' }] },
                ResultPath: null,
                End: true,
              },
            },
          },
          ResultPath: null,
          Next: 'Hour',
        },
        Hour: { Type: 'Wait', Seconds: 3600, End: true },
      },
    });
    const started = Date.now();

    // Act
    const result = await time.drive(
      runExecution({ stateMachine: path, input: { slots }, deps: depsOn(time) }),
      {
        quietMs: 2,
      },
    );

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.publishedEvents.map((event) => Date.parse(event.time))).toEqual([
      START,
      START + 1000,
      START + 2000,
    ]);
    expect(result.stopDate.getTime() - result.startDate.getTime()).toBe(3600_000 + 2000);
    // The hour-long Wait took no hour of real time.
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
