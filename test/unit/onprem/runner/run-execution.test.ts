import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnsupportedTaskResourceError } from '../../../../src/onprem/runner/errors.ts';
import { createProgressReporter } from '../../../../src/onprem/runner/progress.ts';
import { type RunnerDeps, runExecution } from '../../../../src/onprem/runner/run-execution.ts';
import { functionNameOf } from '../../../../src/onprem/runner/state-machines.ts';

const clock = { now: () => new Date('2027-01-10T12:00:00.000Z') };
/** The machines here call no step function, so the step functions' deps (KMS, HSM) are never read. */
const deps = { clock } as unknown as RunnerDeps;
let dir: string;

/** `${<Name>FunctionArn}`, the ASL placeholder for a Lambda (built so it reads as a literal). */
function placeholder(name: string): string {
  return ['$', '{', name, 'FunctionArn', '}'].join('');
}

async function writeMachine(name: string, definition: unknown): Promise<string> {
  const path = join(dir, `${name}.asl.json`);
  await writeFile(path, JSON.stringify(definition));
  return path;
}

/** A state that puts one byok event and ends the execution. */
const PUBLISH_AND_END = {
  Type: 'Task',
  Resource: 'arn:aws:states:::events:putEvents',
  Parameters: { Entries: [{ Source: 'byok', DetailType: 'test', Detail: {} }] },
  End: true,
};

/** Runs a machine with a progress reporter writing to `stream`; returns what it wrote. */
async function progressOf(
  name: string,
  definition: unknown,
  stream: PassThrough,
  options: { label?: string } = {},
): Promise<string> {
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const path = await writeMachine(name, definition);
  await runExecution({
    stateMachine: path,
    input: {},
    deps,
    onProgress: createProgressReporter({ stream, ...options }).onProgress,
  });
  return chunks.join('');
}

describe('local runner', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'byok-runner-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('maps function placeholders to functions/<kebab-name>.ts', () => {
    // Act
    const names = [
      functionNameOf(placeholder('GetParametersForImport')),
      functionNameOf(placeholder('VerifyImport')),
      functionNameOf('arn:aws:states:::events:putEvents'),
    ];

    // Assess
    expect(names).toEqual(['get-parameters-for-import', 'verify-import', undefined]);
  });

  it('records putEvents entries as undelivered without an EventBridge client, and fails under the Fail state error', async () => {
    // Prepare
    const path = await writeMachine('publish-then-fail', {
      StartAt: 'Publish',
      States: {
        Publish: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: { Entries: [{ Source: 'byok', DetailType: 'test', 'Detail.$': '$' }] },
          ResultPath: '$.published',
          Next: 'Stop',
        },
        Stop: { Type: 'Fail', Error: 'TestStopError', Cause: 'stopped on purpose' },
      },
    });

    // Act
    const result = await runExecution({
      stateMachine: path,
      input: { keyId: 'k' },
      name: 'run-1',
      deps,
    });

    // Assess
    expect(result).toMatchObject({
      status: 'FAILED',
      error: 'TestStopError',
      cause: 'stopped on purpose',
      name: 'run-1',
      executionArn: 'arn:aws:states:us-east-1:111122223333:execution:publish-then-fail:run-1',
      startDate: clock.now(),
    });
    expect(result.publishedEvents).toEqual([
      expect.objectContaining({
        stateName: 'Publish',
        source: 'byok',
        detailType: 'test',
        detail: { keyId: 'k' },
        delivered: false,
      }),
    ]);
    expect(result.events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'StateEntered',
      'StateExited',
      'StateEntered',
      'StateFailed',
      'ExecutionFailed',
    ]);
  });

  it('refuses a definition with a resource it cannot run locally', async () => {
    // Prepare
    const path = await writeMachine('unknown-resource', {
      StartAt: 'Call',
      States: { Call: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', End: true } },
    });

    // Act
    const act = runExecution({ stateMachine: path, input: {}, deps });

    // Assess
    await expect(act).rejects.toThrow(UnsupportedTaskResourceError);
  });

  it('refuses a function placeholder that names no registered step function', async () => {
    // Prepare
    const path = await writeMachine('unknown-function', {
      StartAt: 'Call',
      States: { Call: { Type: 'Task', Resource: placeholder('RotateEverything'), End: true } },
    });

    // Act
    const act = runExecution({ stateMachine: path, input: {}, deps });

    // Assess
    await expect(act).rejects.toThrow(UnsupportedTaskResourceError);
    await expect(act).rejects.toThrow(placeholder('RotateEverything'));
  });

  it('prints one plain line per state change when not on a terminal', async () => {
    // Prepare
    const definition = {
      StartAt: 'Prepare',
      States: { Prepare: { Type: 'Pass', Next: 'Publish' }, Publish: PUBLISH_AND_END },
    };

    // Act
    const output = await progressOf('two-steps', definition, new PassThrough());

    // Assess
    const lines = output.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('Publish: started');
    expect(lines[1]).toMatch(/^Publish: done in \d+ ms$/);
  });

  it('keeps a step list on a terminal, rewriting the current line until the state is done', async () => {
    // Prepare
    const stream = Object.assign(new PassThrough(), { isTTY: true });
    const definition = { StartAt: 'Publish', States: { Publish: PUBLISH_AND_END } };

    // Act
    const output = await progressOf('tty-steps', definition, stream, { label: 'demo' });

    // Assess
    const clearLine = '\r\u001b[2K';
    const [entered, exited] = output.split(clearLine).filter((part) => part.length > 0);
    expect(output.startsWith(clearLine)).toBe(true);
    expect(entered).toBe('demo … Publish');
    expect(exited).toMatch(/^demo ✔ Publish \(\d+ ms\)\n$/);
  });
});
