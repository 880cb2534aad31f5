// The local Step Functions API's executions kept in the state dir (issue 17): an ended execution
// keeps its record and history over a restart; one that ran but was not waiting for a task token
// when the stack stopped (or was killed) ends FAILED with Local.StackStopped naming its state,
// never a silent ABORTED; an unreadable journal file stops the start by name. (Resuming an
// execution that waited for a vote is shown end to end in
// test/integration/local-stack/operations.property.test.ts.)
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalStateCorruptError } from '../../../../src/local/errors.ts';
import { StateStore } from '../../../../src/local/persistence.ts';
import type { WorkflowEngine, WorkflowRunRequest } from '../../../../src/local/stepfunctions/engine.ts';
import { ExecutionJournal } from '../../../../src/local/stepfunctions/journal.ts';
import { STACK_STOPPED_ERROR, StepFunctionsService } from '../../../../src/local/stepfunctions/service.ts';
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

function serviceOn(dir: string, voting = false): StepFunctionsService {
  const store = StateStore.open(dir);
  const clock = { now: () => new Date() };
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
