// The local Step Functions API over real HTTP with the real SDK client (and the AWS CLI): start an
// import of the real ASL, follow it with DescribeExecution, read its history, list it, and get
// AWS's errors for AWS's mistakes.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSfnClient } from '../../../src/core/aws/clients.ts';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctions,
} from '../../../src/onprem/simulation/step-functions.ts';
import { type ImportHarness, NO_BACKOFF, startImportHarness } from '../../helpers/import-harness.ts';

const run = promisify(execFile);
// The local stack's defaults (checked in beforeAll).
const REGION = 'us-east-1';
const ACCOUNT = '111122223333';
const importArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:import-key-material`;

describe('local Step Functions API (AWSStepFunctions over AWS JSON 1.0)', () => {
  let harness: ImportHarness;
  let stepFunctions: AttachedStepFunctions;
  let sfn: SFNClient;

  beforeAll(async () => {
    harness = await startImportHarness({ keys: [{ label: 'aes-sfn', type: 'AES_256' }] });
    stepFunctions = attachLocalStepFunctions(harness.stack, {
      deps: async () => harness.deps,
      overrides: NO_BACKOFF,
    });
    sfn = createSfnClient({ endpoint: harness.stack.url, region: harness.stack.region });
    expect([harness.stack.region, harness.stack.accountId]).toEqual([REGION, ACCOUNT]);
  });

  afterAll(async () => {
    sfn?.destroy();
    await stepFunctions?.close();
    await harness?.stop();
  });

  async function finished(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    for (;;) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== 'RUNNING') return described;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('lists the state machines of statemachines/', async () => {
    // Act
    const listed = await sfn.send(new ListStateMachinesCommand({}));

    // Assess
    expect(listed.stateMachines?.map((machine) => machine.stateMachineArn)).toContain(importArn);
    expect(listed.stateMachines?.map((machine) => machine.name)).toContain('reimport-expiring-keys');
  });

  it('runs an import to SUCCEEDED and reports it as DescribeExecution, GetExecutionHistory and ListExecutions do', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      hsmKeyLabel: 'aes-sfn',
    });
    const input = JSON.stringify({ keyId, validForDays: 30 });

    // Act: the same name and input twice at once is one execution, as on AWS.
    const [started, again] = await Promise.all([
      sfn.send(new StartExecutionCommand({ stateMachineArn: importArn, name: 'import-one', input })),
      sfn.send(new StartExecutionCommand({ stateMachineArn: importArn, name: 'import-one', input })),
    ]);
    const described = await finished(started.executionArn as string);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: importArn }));

    // Assess
    expect(again.executionArn).toBe(started.executionArn);
    expect(started.executionArn).toBe(
      `arn:aws:states:${harness.stack.region}:${harness.stack.accountId}:execution:import-key-material:import-one`,
    );
    expect(started.startDate).toBeInstanceOf(Date);
    expect(described.status, described.cause).toBe('SUCCEEDED');
    expect(JSON.parse(described.input as string)).toEqual({ keyId, validForDays: 30 });
    const output = JSON.parse(described.output as string) as { keyId: string; expirationModel: string };
    expect(output.expirationModel).toBe('KEY_MATERIAL_EXPIRES');
    expect(described.stopDate?.getTime()).toBeGreaterThanOrEqual(described.startDate?.getTime() ?? 0);
    const types = history.events?.map((event) => event.type) ?? [];
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    const tasksEntered = (history.events ?? [])
      .filter((event) => event.type === 'TaskStateEntered')
      .map((event) => event.stateEnteredEventDetails?.name);
    expect(tasksEntered).toEqual([
      'GetParametersForImport',
      'WrapKeyMaterial',
      'ImportKeyMaterial',
      'VerifyImport',
      'PublishSucceeded',
    ]);
    expect(history.events?.map((event) => event.id)).toEqual(types.map((_type, index) => index + 1));
    // A Lambda Task and a service integration report their work as they do on AWS.
    const around = (state: string) => {
      const at = (history.events ?? []).findIndex((event) => event.stateEnteredEventDetails?.name === state);
      return types.slice(at, at + 5);
    };
    expect(around('VerifyImport')).toEqual([
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
    ]);
    expect(around('PublishSucceeded')).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
    ]);
    expect(listed.executions?.map((execution) => [execution.name, execution.status])).toContainEqual([
      'import-one',
      'SUCCEEDED',
    ]);
  });

  it('refuses a closed execution name again, with ExecutionAlreadyExists', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      hsmKeyLabel: 'aes-sfn',
    });
    const input = JSON.stringify({ keyId, validForDays: 1 });
    const first = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: importArn, name: 'once', input }),
    );
    await finished(first.executionArn as string);

    // Act
    const again = sfn.send(new StartExecutionCommand({ stateMachineArn: importArn, name: 'once', input }));

    // Assess
    await expect(again).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
  });

  it('fails an import whose HSM key does not exist under the handler error name, with history', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
    });

    // Act
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: importArn,
        input: JSON.stringify({ keyId, hsmKeyLabel: 'no-such-hsm-key' }),
      }),
    );
    const described = await finished(started.executionArn as string);
    const history = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: started.executionArn,
        reverseOrder: true,
        maxResults: 1,
      }),
    );

    // Assess
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('HsmKeyNotFoundError');
    expect(described.cause).toContain('no-such-hsm-key');
    expect(history.events?.[0]?.type).toBe('ExecutionFailed');
    const full = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    expect(
      full.events
        ?.filter((event) => event.type === 'LambdaFunctionFailed')
        .map((event) => event.lambdaFunctionFailedEventDetails?.error),
    ).toContain('HsmKeyNotFoundError');
    expect(history.events?.[0]?.executionFailedEventDetails?.error).toBe(described.error);
    expect(history.nextToken).toBeDefined();
  });

  it.each([
    [
      'an unknown state machine',
      { stateMachineArn: importArn.replace('import-key-material', 'nope') },
      'StateMachineDoesNotExist',
    ],
    [
      'another account',
      { stateMachineArn: importArn.replace(/:\d{12}:/, ':999999999999:') },
      'StateMachineDoesNotExist',
    ],
    ['a malformed ARN', { stateMachineArn: 'import-key-material' }, 'InvalidArn'],
    ['input that is not JSON', { input: '{keyId:' }, 'InvalidExecutionInput'],
    ['a name with a space', { name: 'two words' }, 'InvalidName'],
    ['a name over 80 characters', { name: 'x'.repeat(81) }, 'InvalidName'],
  ])('answers %s with %s', async (_case, fields, errorName) => {
    // Act
    const start = sfn.send(new StartExecutionCommand({ stateMachineArn: importArn, input: '{}', ...fields }));

    // Assess
    await expect(start).rejects.toMatchObject({ name: errorName });
  });

  it('starts executions for EventBridge rules as a target handler, listed like any other', async () => {
    // Prepare
    const keyId = await harness.createExternalKey({
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      hsmKeyLabel: 'aes-sfn',
    });
    const target = stepFunctions.service.eventTarget();

    // Act
    const executionArn = await target.deliver({ targetArn: importArn, input: JSON.stringify({ keyId }) });
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const failing = target.deliver({ targetArn: importArn, input: JSON.stringify({ keyId: 'alias/nope' }) });

    // Assess
    expect(target.matches(importArn)).toBe(true);
    expect(target.matches('arn:aws:sns:us-east-1:111122223333:byok-alerts')).toBe(false);
    expect(described.status).toBe('SUCCEEDED');
    await expect(failing).rejects.toThrow(/FAILED/);
  });

  it('answers an unknown execution with ExecutionDoesNotExist', async () => {
    // Act
    const describe = sfn.send(
      new DescribeExecutionCommand({
        executionArn: `${importArn.replace('stateMachine', 'execution')}:missing`,
      }),
    );

    // Assess
    await expect(describe).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
  });

  it('speaks the protocol the AWS CLI expects', async () => {
    // Prepare
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'byoklocal',
      AWS_SECRET_ACCESS_KEY: 'byoklocal',
      AWS_DEFAULT_REGION: harness.stack.region,
      AWS_PAGER: '',
    };
    const cli = (...args: string[]) =>
      run(
        '/usr/bin/aws',
        ['--endpoint-url', harness.stack.url, '--output', 'json', 'stepfunctions', ...args],
        { env },
      );

    // Act
    const listed = JSON.parse((await cli('list-executions', '--state-machine-arn', importArn)).stdout) as {
      executions: { name: string; status: string; executionArn: string }[];
    };
    const executionArn = listed.executions.find((execution) => execution.name === 'import-one')
      ?.executionArn as string;
    const described = JSON.parse(
      (await cli('describe-execution', '--execution-arn', executionArn)).stdout,
    ) as {
      status: string;
      name: string;
    };

    // Assess
    expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'import-one' });
  });
});
