import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleBackend } from '../../../../src/onprem/console/backend.ts';
import { ConsoleStateMachineNotFoundError } from '../../../../src/onprem/console/errors.ts';
import { listRuns } from '../../../../src/onprem/console/runs.ts';

const sfn = mockClient(SFNClient);
const IMPORT_ARN = 'arn:aws:states:eu-west-1:111122223333:stateMachine:byok-prod-import-key-material';
const EXECUTION_ARN = 'arn:aws:states:eu-west-1:111122223333:execution:byok-prod-import-key-material:run-1';

describe('listRuns', () => {
  afterEach(() => {
    sfn.reset();
  });

  it('lists the runs of the workflows deployed here, with the key from the input, and leaves out a missing sweep', async () => {
    // Prepare
    sfn.on(ListStateMachinesCommand).resolves({
      stateMachines: [
        {
          name: 'byok-prod-import-key-material',
          stateMachineArn: IMPORT_ARN,
          type: 'STANDARD',
          creationDate: new Date(),
        },
        { name: 'unrelated', stateMachineArn: 'arn:x', type: 'STANDARD', creationDate: new Date() },
      ],
    });
    sfn.on(ListExecutionsCommand, { stateMachineArn: IMPORT_ARN }).resolves({
      executions: [
        {
          executionArn: EXECUTION_ARN,
          stateMachineArn: IMPORT_ARN,
          name: 'run-1',
          status: 'FAILED',
          startDate: new Date('2027-01-01T00:00:00Z'),
        },
      ],
    });
    sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION_ARN }).resolves({
      executionArn: EXECUTION_ARN,
      stateMachineArn: IMPORT_ARN,
      name: 'run-1',
      status: 'FAILED',
      startDate: new Date('2027-01-01T00:00:00Z'),
      stopDate: new Date('2027-01-01T00:00:02Z'),
      input: '{"keyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}',
      error: 'HsmKeyNotFoundError',
    });
    const backend = createConsoleBackend({ region: 'eu-west-1' });

    // Act
    const runs = await listRuns(backend);

    // Assess
    expect(runs).toEqual([
      {
        executionArn: EXECUTION_ARN,
        name: 'run-1',
        workflow: 'import-key-material',
        status: 'FAILED',
        keyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
        requestId: null,
        startDate: '2027-01-01T00:00:00.000Z',
        stopDate: '2027-01-01T00:00:02.000Z',
        durationMs: 2000,
        error: 'HsmKeyNotFoundError',
        outcome: null,
      },
    ]);
    backend.close();
  });

  it('names the missing workflow when none is deployed', async () => {
    // Prepare
    sfn.on(ListStateMachinesCommand).resolves({ stateMachines: [] });
    const backend = createConsoleBackend({ region: 'eu-west-1' });

    // Act
    const listed = listRuns(backend);

    // Assess
    await expect(listed).rejects.toBeInstanceOf(ConsoleStateMachineNotFoundError);
    backend.close();
  });

  it('lists an ended sweep with its report’s outcome (PARTIAL is not a plain success), and describes an ended run once', async () => {
    // Prepare
    const sweepMachine =
      'arn:aws:states:eu-west-1:111122223333:stateMachine:byok-prod-reimport-expiring-keys';
    const sweepRun = 'arn:aws:states:eu-west-1:111122223333:execution:byok-prod-reimport-expiring-keys:s-1';
    sfn.on(ListStateMachinesCommand).resolves({
      stateMachines: [
        {
          name: 'byok-prod-reimport-expiring-keys',
          stateMachineArn: sweepMachine,
          type: 'STANDARD',
          creationDate: new Date(),
        },
      ],
    });
    sfn.on(ListExecutionsCommand, { stateMachineArn: sweepMachine }).resolves({
      executions: [
        {
          executionArn: sweepRun,
          stateMachineArn: sweepMachine,
          name: 's-1',
          status: 'SUCCEEDED',
          startDate: new Date('2027-01-01T03:00:00Z'),
        },
      ],
    });
    sfn.on(DescribeExecutionCommand, { executionArn: sweepRun }).resolves({
      executionArn: sweepRun,
      stateMachineArn: sweepMachine,
      name: 's-1',
      status: 'SUCCEEDED',
      startDate: new Date('2027-01-01T03:00:00Z'),
      stopDate: new Date('2027-01-01T03:01:00Z'),
      input: '{}',
      output: JSON.stringify({
        outcome: 'PARTIAL',
        outcomeReason: '3 keys could not be read (ThrottlingException)',
      }),
    });
    const backend = createConsoleBackend({ region: 'eu-west-1' });

    // Act: two polls of the Runs page.
    const first = await listRuns(backend);
    const second = await listRuns(backend);

    // Assess
    expect(first.map((run) => [run.name, run.status, run.outcome])).toEqual([
      ['s-1', 'SUCCEEDED', 'PARTIAL'],
    ]);
    expect(second).toEqual(first);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(1);
    backend.close();
  });
});
