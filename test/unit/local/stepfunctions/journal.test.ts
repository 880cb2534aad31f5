// The local Step Functions API's executions kept in the state dir (issue 17): an ended execution
// keeps its record and history over a restart; one that ran but was not waiting for a task token
// when the stack stopped (or was killed) ends FAILED with Local.StackStopped naming its state,
// never a silent ABORTED; an unreadable journal file stops the start by name. (Resuming an
// execution that waited for a vote is shown end to end in
// test/integration/local-stack/operations.property.test.ts.) An ended execution is kept 90 days
// of the stack's clock after it ended, then removed from the journal and the API; a running one,
// waiting for its vote, is never removed.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStateCorruptError } from '../../../../src/local/errors.ts';
import { StateStore } from '../../../../src/local/persistence.ts';
import type { WorkflowEngine, WorkflowRunRequest } from '../../../../src/local/stepfunctions/engine.ts';
import { ExecutionJournal } from '../../../../src/local/stepfunctions/journal.ts';
import {
  EXECUTION_RETENTION_DAYS,
  STACK_STOPPED_ERROR,
  StepFunctionsService,
} from '../../../../src/local/stepfunctions/service.ts';
import { DueTimers, TaskTokenService } from '../../../../src/onprem/runner/tasks/index.ts';

const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:demo`;
const dirs: string[] = [];

/** Runs `demo`: enters Pause and waits there until aborted, unless the input says `{ "end": true }`. */
const engine: WorkflowEngine = {
  listStateMachines: async () => ['demo'],
  describeStateMachine: async () => ({ definition: '{}', lambdaStates: [] }),
  async run(request: WorkflowRunRequest) {
    const timestamp = Date.now();
    request.onProgress({ type: 'ExecutionStarted', timestamp, input: request.input } as never);
    request.onProgress({
      type: 'StateEntered',
      timestamp,
      state: { name: 'Pause', type: 'Wait', input: request.input },
    } as never);
    if ((request.input as { end?: boolean }).end) {
      request.onProgress({ type: 'ExecutionSucceeded', timestamp, output: { done: true } } as never);
      return { status: 'SUCCEEDED', output: { done: true } };
    }
    await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }));
    return { status: 'ABORTED' };
  },
};

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'byok-journal-'));
  dirs.push(dir);
  return join(dir, 'local');
}

/**
 * Runs `vote`: a callback task whose call (handing the token out, as OpenApproval does) takes
 * 150 ms, then waits for its answer; resumed, it waits for the adopted task.
 */
function votingEngine(tasks: TaskTokenService): WorkflowEngine {
  return {
    listStateMachines: async () => ['vote'],
    describeStateMachine: async () => ({ definition: '{}', lambdaStates: [] }),
    async run(request) {
      const aborted = new Promise((resolve) =>
        request.signal.addEventListener('abort', () => resolve('aborted'), { once: true }),
      );
      const executionArn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:vote:${request.name}`;
      let outcome: Promise<unknown> | undefined;
      if (request.resumeAt) outcome = tasks.takeAdopted(request.resumeAt.token)?.outcome;
      else {
        const timestamp = Date.now();
        request.onProgress({ type: 'ExecutionStarted', timestamp, input: request.input } as never);
        request.onProgress({
          type: 'StateEntered',
          timestamp,
          state: { name: 'AwaitVote', type: 'Task', input: request.input },
        } as never);
        const issued = tasks.startCallbackTask({ executionArn, stateName: 'AwaitVote' });
        await new Promise((resolve) => setTimeout(resolve, 150));
        tasks.callbackDelivered(issued.token, executionArn);
        outcome = issued.outcome;
      }
      const answer = await Promise.race([outcome, aborted]);
      return answer === 'aborted' ? { status: 'ABORTED' } : { status: 'SUCCEEDED', output: answer };
    },
  };
}

function serviceOn(dir: string, voting = false, clock = { now: () => new Date() }): StepFunctionsService {
  const store = StateStore.open(dir);
  const tasks = new TaskTokenService({ clock, timers: new DueTimers() });
  return new StepFunctionsService({
    region: REGION,
    accountId: ACCOUNT,
    clock,
    engine: voting ? votingEngine(tasks) : engine,
    tasks,
    journal: new ExecutionJournal(store, { region: REGION, accountId: ACCOUNT }),
  });
}

async function start(service: StepFunctionsService, name: string, input: unknown): Promise<string> {
  const started = (await service.handle('StartExecution', {
    stateMachineArn: MACHINE,
    name,
    input: JSON.stringify(input),
  })) as { executionArn: string };
  await new Promise((resolve) => setTimeout(resolve, 10));
  return started.executionArn;
}

type Described = { status: string; error?: string; cause?: string; output?: string };
type History = { events: Array<{ type: string; id: number }> };

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('executions kept in the state dir', () => {
  it('keeps an ended execution (record, output, history) over a restart', async () => {
    // Prepare
    const dir = await stateDir();
    const first = serviceOn(dir);
    const executionArn = await start(first, 'ends', { end: true });
    const history = (await first.handle('GetExecutionHistory', { executionArn })) as History;
    await first.close();

    // Act
    const second = serviceOn(dir);
    const described = (await second.handle('DescribeExecution', { executionArn })) as Described;
    const historyAfter = (await second.handle('GetExecutionHistory', { executionArn })) as History;
    await second.close();

    // Assess
    expect(described.status).toBe('SUCCEEDED');
    expect(described.output).toBe('{"done":true}');
    expect(historyAfter).toEqual(history);
    expect(history.events.at(-1)?.type).toBe('ExecutionSucceeded');
  });

  it('ends an execution that was not waiting for a task token FAILED with Local.StackStopped, naming its state', async () => {
    // Prepare
    const dir = await stateDir();
    const first = serviceOn(dir);
    const executionArn = await start(first, 'pauses', { end: false });

    // Act
    await first.close();
    const second = serviceOn(dir);
    const described = (await second.handle('DescribeExecution', { executionArn })) as Described;
    const history = (await second.handle('GetExecutionHistory', { executionArn })) as History;
    await second.close();

    // Assess
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe(STACK_STOPPED_ERROR);
    expect(described.cause).toContain('in state Pause');
    expect(described.cause).toContain('start it again');
    expect(history.events.at(-1)?.type).toBe('ExecutionFailed');
  });

  it('ends an execution of a killed stack FAILED with Local.StackStopped on the next start', async () => {
    // Prepare: the first service is never closed (the process was killed mid-run).
    const dir = await stateDir();
    const killed = serviceOn(dir);
    const executionArn = await start(killed, 'killed', { end: false });

    // Act
    const next = serviceOn(dir);
    const described = (await next.handle('DescribeExecution', { executionArn })) as Described;
    await next.close();
    await killed.handle('StopExecution', { executionArn });

    // Assess
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe(STACK_STOPPED_ERROR);
    expect(described.cause).toContain('killed');
  });

  it('a stop while a call is handing out the task token waits for it, and keeps the execution waiting', async () => {
    // Prepare
    const dir = await stateDir();
    const first = serviceOn(dir, true);
    const started = (await first.handle('StartExecution', {
      stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:vote`,
      name: 'mid-call',
      input: '{}',
    })) as { executionArn: string };
    await new Promise((resolve) => setTimeout(resolve, 30));

    // Act
    await first.close();
    const second = serviceOn(dir, true);
    const described = (await second.handle('DescribeExecution', {
      executionArn: started.executionArn,
    })) as Described;
    await second.close();

    // Assess
    expect(described.status).toBe('RUNNING');
  });

  it('refuses an unreadable journal file by name, changing nothing', async () => {
    // Prepare
    const dir = await stateDir();
    const first = serviceOn(dir);
    await start(first, 'ends', { end: true });
    await first.close();
    const [file] = await readdir(join(dir, 'stepfunctions'));
    await writeFile(join(dir, 'stepfunctions', file as string), '{"version":1}\n', { mode: 0o600 });

    // Act
    const refused = (() => {
      try {
        return serviceOn(dir);
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(refused).toBeInstanceOf(LocalStateCorruptError);
    expect((refused as Error).message).toContain(file as string);
  });
});

const DAY = 86_400_000;

/** A stack's clock the test moves (the virtual clock of `byok local up`), far from the wall clock. */
function virtualClock(start = Date.UTC(2031, 0, 1)) {
  let now = start;
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms;
    },
  };
}

async function journalFiles(dir: string): Promise<string[]> {
  return (await readdir(join(dir, 'stepfunctions'))).filter((file) => file.endsWith('.json')).sort();
}

async function described(service: StepFunctionsService, executionArn: string): Promise<unknown> {
  try {
    return await service.handle('DescribeExecution', { executionArn });
  } catch (error) {
    return error;
  }
}

describe('ended executions are kept for the retention, on the stack clock', () => {
  it('removes at start an ended execution older than 90 days of the stack clock, keeping a younger one', async () => {
    // Prepare: one execution ends on day 0, another on day 2.
    const dir = await stateDir();
    const clock = virtualClock();
    const first = serviceOn(dir, false, clock);
    const old = await start(first, 'old', { end: true });
    clock.advance(2 * DAY);
    const young = await start(first, 'young', { end: true });
    await first.close();
    const before = await journalFiles(dir);

    // Act: the stack starts again when the first is 90 days and a minute old.
    clock.advance((EXECUTION_RETENTION_DAYS - 2) * DAY + 60_000);
    const second = serviceOn(dir, false, clock);
    const oldAfter = await described(second, old);
    const youngAfter = (await second.handle('DescribeExecution', { executionArn: young })) as Described;
    const after = await journalFiles(dir);
    await second.close();

    // Assess
    expect(before).toHaveLength(2);
    expect(after).toHaveLength(1);
    expect((oldAfter as { type?: string }).type).toBe('ExecutionDoesNotExist');
    expect(youngAfter.status).toBe('SUCCEEDED');
  });

  it('keeps an ended execution 90 days on the wall clock when the stack clock has not moved', async () => {
    // Prepare: the stack's clock stays put; only the wall clock would say it is old.
    const dir = await stateDir();
    const clock = virtualClock(Date.UTC(2020, 0, 1));
    const first = serviceOn(dir, false, clock);
    const executionArn = await start(first, 'kept', { end: true });
    await first.close();

    // Act
    const second = serviceOn(dir, false, clock);
    const after = (await second.handle('DescribeExecution', { executionArn })) as Described;
    await second.close();

    // Assess
    expect(after.status).toBe('SUCCEEDED');
    expect(await journalFiles(dir)).toHaveLength(1);
  });

  it('removes an expired execution when a running stack starts another, freeing its name', async () => {
    // Prepare
    const dir = await stateDir();
    const clock = virtualClock();
    const service = serviceOn(dir, false, clock);
    const old = await start(service, 'daily', { end: true });
    clock.advance((EXECUTION_RETENTION_DAYS + 1) * DAY);

    // Act
    const again = await start(service, 'daily', { end: true });
    const listed = (await service.handle('ListExecutions', { stateMachineArn: MACHINE })) as {
      executions: Array<{ executionArn: string; startDate: number }>;
    };
    const files = await journalFiles(dir);
    await service.close();

    // Assess: the same name again is a new execution (the old record is gone, as on AWS).
    expect(again).toBe(old);
    expect(listed.executions).toHaveLength(1);
    expect(listed.executions[0]?.startDate).toBe(clock.now().getTime() / 1000);
    expect(files).toHaveLength(1);
  });

  it('never removes an execution waiting for its vote, however long ago it started', async () => {
    // Prepare: a rotation-like execution waits for a task token; the stack stops.
    const dir = await stateDir();
    const clock = virtualClock();
    const first = serviceOn(dir, true, clock);
    const started = (await first.handle('StartExecution', {
      stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:vote`,
      name: 'waits',
      input: '{}',
    })) as { executionArn: string };
    await new Promise((resolve) => setTimeout(resolve, 200));
    await first.close();

    // Act: a year later on the stack's clock (its task timeout is AWS's default, ~3 years).
    clock.advance(365 * DAY);
    const second = serviceOn(dir, true, clock);
    const after = (await second.handle('DescribeExecution', {
      executionArn: started.executionArn,
    })) as Described;
    const files = await journalFiles(dir);
    await second.close();

    // Assess
    expect(after.status).toBe('RUNNING');
    expect(files).toHaveLength(1);
  });
});
