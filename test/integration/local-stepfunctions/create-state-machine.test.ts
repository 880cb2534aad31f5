// CreateStateMachine and DeleteStateMachine on the local Step Functions API, as the real AWS CLI
// calls them: a created machine is listed, described and run like the stack's own; the same
// request again is the same machine; a different one under the same name, a definition that is
// not one, a bad role ARN are refused under AWS's names; deleting it makes it gone, and the stack's
// own machines cannot be deleted.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { createTaskTokenServiceOn, type TaskTokenService } from '../../../src/onprem/runner/tasks/service.ts';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctionsWithLocalToken,
} from '../../../src/onprem/simulation/step-functions.ts';

const run = promisify(execFile);
const ROLE = 'arn:aws:iam::111122223333:role/tester';

let stack: LocalStack;
let tasks: TaskTokenService;
let stepFunctions: AttachedStepFunctions;
let work: string;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  tasks = createTaskTokenServiceOn(stack.clock);
  stepFunctions = attachLocalStepFunctionsWithLocalToken(stack, { tasks, hsmPlacement: 'activity' });
  work = await mkdtemp(join(tmpdir(), 'byok-create-sm-'));
});

afterAll(async () => {
  await stepFunctions?.close();
  tasks?.close();
  await stack?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** The fields of the answers this test reads. */
interface CliAnswer {
  stateMachineArn: string;
  creationDate: string;
  executionArn: string;
  status: string;
  output: string;
  definition: string;
  stateMachines: Array<{ name: string }>;
}

/** The AWS CLI against the stack: stdout parsed, or the error's stderr. */
async function aws(
  ...args: string[]
): Promise<{ ok: true; json: CliAnswer } | { ok: false; stderr: string }> {
  try {
    const { stdout } = await run(
      '/usr/bin/aws',
      ['stepfunctions', ...args, '--endpoint-url', stack.url, '--output', 'json'],
      {
        env: {
          PATH: process.env.PATH,
          HOME: work,
          AWS_ACCESS_KEY_ID: 'tester',
          AWS_SECRET_ACCESS_KEY: 'tester',
          AWS_DEFAULT_REGION: stack.region,
          AWS_PAGER: '',
          AWS_CONFIG_FILE: join(work, 'no-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-credentials'),
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    return { ok: true, json: (stdout.trim() === '' ? {} : JSON.parse(stdout)) as CliAnswer };
  } catch (error) {
    return { ok: false, stderr: (error as { stderr?: string }).stderr ?? String(error) };
  }
}

async function definitionFile(name: string, definition: unknown): Promise<string> {
  const path = join(work, `${name}.asl.json`);
  await writeFile(path, typeof definition === 'string' ? definition : JSON.stringify(definition));
  return `file://${path}`;
}

const PASS = { StartAt: 'Hello', States: { Hello: { Type: 'Pass', Result: { said: 'hello' }, End: true } } };

describe('CreateStateMachine / DeleteStateMachine (AWS CLI)', () => {
  it('creates a machine that is listed, described and runs; the same request again is the same machine', async () => {
    // Prepare
    const definition = await definitionFile('hello', PASS);

    // Act
    const created = await aws(
      'create-state-machine',
      '--name',
      'hello',
      '--definition',
      definition,
      '--role-arn',
      ROLE,
    );
    const again = await aws(
      'create-state-machine',
      '--name',
      'hello',
      '--definition',
      definition,
      '--role-arn',
      ROLE,
    );
    const listed = await aws('list-state-machines');
    if (!created.ok) throw new Error(created.stderr);
    const described = await aws(
      'describe-state-machine',
      '--state-machine-arn',
      created.json.stateMachineArn,
    );
    const started = await aws(
      'start-execution',
      '--state-machine-arn',
      created.json.stateMachineArn,
      '--input',
      '{}',
    );
    if (!started.ok) throw new Error(started.stderr);
    let execution = await aws('describe-execution', '--execution-arn', started.json.executionArn);
    while (execution.ok && execution.json.status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, 50));
      execution = await aws('describe-execution', '--execution-arn', started.json.executionArn);
    }

    // Assess
    expect(created.json.stateMachineArn).toBe(
      `arn:aws:states:${stack.region}:${stack.accountId}:stateMachine:hello`,
    );
    expect(typeof created.json.creationDate).toBe('string');
    expect(again).toMatchObject({ ok: true, json: { stateMachineArn: created.json.stateMachineArn } });
    expect(listed.ok && listed.json.stateMachines.map((machine) => machine.name)).toEqual(
      expect.arrayContaining(['hello', 'import-key-material', 'rotate-key-material']),
    );
    expect(described).toMatchObject({ ok: true, json: { name: 'hello', roleArn: ROLE, status: 'ACTIVE' } });
    expect(described.ok && JSON.parse(described.json.definition)).toEqual(PASS);
    expect(execution).toMatchObject({ ok: true, json: { status: 'SUCCEEDED' } });
    expect(execution.ok && JSON.parse(execution.json.output)).toEqual({ said: 'hello' });
  });

  it('refuses a different machine under a taken name, a definition that is not one, and a bad role ARN', async () => {
    // Prepare
    const first = await definitionFile('taken', PASS);
    await aws('create-state-machine', '--name', 'taken', '--definition', first, '--role-arn', ROLE);
    const other = await definitionFile('taken-2', { ...PASS, Comment: 'another' });
    const broken = await definitionFile('broken', '{"StartAt": "Nowhere"');
    const noStates = await definitionFile('no-states', {
      StartAt: 'Nowhere',
      States: { Here: { Type: 'Pass', End: true } },
    });

    // Act
    const taken = await aws(
      'create-state-machine',
      '--name',
      'taken',
      '--definition',
      other,
      '--role-arn',
      ROLE,
    );
    const builtIn = await aws(
      'create-state-machine',
      '--name',
      'import-key-material',
      '--definition',
      first,
      '--role-arn',
      ROLE,
    );
    const notJson = await aws(
      'create-state-machine',
      '--name',
      'broken',
      '--definition',
      broken,
      '--role-arn',
      ROLE,
    );
    const invalid = await aws(
      'create-state-machine',
      '--name',
      'invalid',
      '--definition',
      noStates,
      '--role-arn',
      ROLE,
    );
    const badRole = await aws(
      'create-state-machine',
      '--name',
      'role',
      '--definition',
      first,
      '--role-arn',
      'mallory',
    );

    // Assess
    expect(taken).toMatchObject({ ok: false, stderr: expect.stringContaining('StateMachineAlreadyExists') });
    expect(builtIn).toMatchObject({
      ok: false,
      stderr: expect.stringContaining('StateMachineAlreadyExists'),
    });
    expect(notJson).toMatchObject({ ok: false, stderr: expect.stringContaining('InvalidDefinition') });
    expect(invalid).toMatchObject({ ok: false, stderr: expect.stringContaining('InvalidDefinition') });
    expect(badRole).toMatchObject({ ok: false, stderr: expect.stringContaining('InvalidArn') });
  });

  it("deletes a created machine (then gone), and refuses to delete the stack's own", async () => {
    // Prepare
    const definition = await definitionFile('doomed', PASS);
    const created = await aws(
      'create-state-machine',
      '--name',
      'doomed',
      '--definition',
      definition,
      '--role-arn',
      ROLE,
    );
    if (!created.ok) throw new Error(created.stderr);

    // Act
    const deleted = await aws('delete-state-machine', '--state-machine-arn', created.json.stateMachineArn);
    const described = await aws(
      'describe-state-machine',
      '--state-machine-arn',
      created.json.stateMachineArn,
    );
    const started = await aws('start-execution', '--state-machine-arn', created.json.stateMachineArn);
    const own = await aws(
      'delete-state-machine',
      '--state-machine-arn',
      `arn:aws:states:${stack.region}:${stack.accountId}:stateMachine:import-key-material`,
    );

    // Assess
    expect(deleted).toEqual({ ok: true, json: {} });
    expect(described).toMatchObject({
      ok: false,
      stderr: expect.stringContaining('StateMachineDoesNotExist'),
    });
    expect(started).toMatchObject({ ok: false, stderr: expect.stringContaining('StateMachineDoesNotExist') });
    expect(own).toMatchObject({ ok: false, stderr: expect.stringContaining('ValidationException') });
    const listed = await aws('list-state-machines');
    expect(listed.ok && listed.json.stateMachines.map((machine) => machine.name)).not.toContain('doomed');
  });
});
