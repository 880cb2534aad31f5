// arn:aws:states:::lambda:invoke (and its .waitForTaskToken form) run a functions/ module
// in-process, named by the same ${<Name>FunctionArn} placeholder the deploy resolver maps.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunnerDeps, runExecution } from '../../../../../src/onprem/runner/run-execution.ts';
import {
  DueTimers,
  localFunctionName,
  TaskTokenService,
} from '../../../../../src/onprem/runner/tasks/index.ts';

/** Only the clock and task service: these runs call no step that needs KMS or an HSM. */
const runnerDeps = (deps: Record<string, unknown>) => deps as unknown as RunnerDeps;

const clock = { now: () => new Date('2027-03-01T00:00:00.000Z') };
let dir: string;

/** `${SummarizeSweepFunctionArn}` (built so it reads as a literal, not a template). */
const SUMMARIZE_SWEEP = ['$', '{', 'SummarizeSweep', 'FunctionArn', '}'].join('');
const EMPTY_SWEEP = {
  found: {
    sweepId: '20270301T000000Z',
    checkedAt: '2027-03-01T00:00:00Z',
    managedKeys: 0,
    keys: [],
    skipped: [],
    skippedCount: 0,
    deferred: 0,
  },
  results: [],
};

async function writeMachine(name: string, definition: unknown): Promise<string> {
  const path = join(dir, `${name}.asl.json`);
  await writeFile(path, JSON.stringify(definition));
  return path;
}

function invokeMachine(resource: string, functionName: string) {
  return {
    StartAt: 'Invoke',
    States: {
      Invoke: {
        Type: 'Task',
        Resource: resource,
        Parameters: { FunctionName: functionName, 'Payload.$': '$' },
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed' }],
        End: true,
      },
      Failed: { Type: 'Pass', End: true },
    },
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'byok-lambda-invoke-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('localFunctionName', () => {
  it.each([
    [SUMMARIZE_SWEEP, 'summarize-sweep'],
    ['arn:aws:lambda:us-east-1:111122223333:function:summarize-sweep', 'summarize-sweep'],
    ['arn:aws:lambda:us-east-1:111122223333:function:summarize-sweep:$LATEST', 'summarize-sweep'],
    ['summarize-sweep', 'summarize-sweep'],
    ['../escape', undefined],
  ])('maps %s to %s', (functionName, expected) => {
    // Act + Assess
    expect(localFunctionName(functionName)).toBe(expected);
  });
});

describe('lambda:invoke', () => {
  it("returns AWS's result shape with the function's output as Payload", async () => {
    // Prepare
    const path = await writeMachine(
      'invoke',
      invokeMachine('arn:aws:states:::lambda:invoke', SUMMARIZE_SWEEP),
    );

    // Act
    const result = await runExecution({
      stateMachine: path,
      input: EMPTY_SWEEP,
      deps: runnerDeps({ clock }),
    });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      ExecutedVersion: '$LATEST',
      StatusCode: 200,
      Payload: { sweepId: '20270301T000000Z', due: 0, failed: 0 },
    });
  });

  it("fails under the function's error name, with AWS's JSON cause", async () => {
    // Prepare
    const path = await writeMachine('invoke-bad', {
      ...invokeMachine('arn:aws:states:::lambda:invoke', SUMMARIZE_SWEEP),
      States: {
        Invoke: {
          ...invokeMachine('arn:aws:states:::lambda:invoke', SUMMARIZE_SWEEP).States.Invoke,
          Catch: undefined,
          End: true,
        },
      },
    });

    // Act
    const result = await runExecution({
      stateMachine: path,
      input: { found: 'nonsense' },
      deps: runnerDeps({ clock }),
    });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatch(/Error$/);
    expect(JSON.parse(result.cause ?? '{}')).toMatchObject({ errorType: result.error });
  });

  it('fails with Lambda.ResourceNotFoundException for a function that is not in functions/', async () => {
    // Prepare
    const path = await writeMachine('invoke-missing', {
      StartAt: 'Invoke',
      States: {
        Invoke: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'no-such-function', Payload: {} },
          End: true,
        },
      },
    });

    // Act
    const result = await runExecution({ stateMachine: path, input: {}, deps: runnerDeps({ clock }) });

    // Assess
    expect([result.status, result.error]).toEqual(['FAILED', 'Lambda.ResourceNotFoundException']);
  });

  it('as .waitForTaskToken, closes the token when the function fails before anyone could answer', async () => {
    // Prepare
    const path = await writeMachine(
      'invoke-callback',
      invokeMachine('arn:aws:states:::lambda:invoke.waitForTaskToken', SUMMARIZE_SWEEP),
    );
    const tasks = new TaskTokenService({ clock, timers: new DueTimers() });

    // Act
    const result = await runExecution({
      stateMachine: path,
      input: { found: 'nonsense' },
      deps: runnerDeps({ clock, tasks }),
    });

    // Assess: caught, and nothing left waiting.
    expect(result.status).toBe('SUCCEEDED');
    expect(result.events.some((event) => event.type === 'StateCaught')).toBe(true);
    expect(tasks.registry.openTasks()).toEqual([]);
  });
});
