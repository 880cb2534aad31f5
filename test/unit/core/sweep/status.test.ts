import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { formatTimeLeft, lastRunsFromStepFunctions } from '../../../../src/core/sweep/status.ts';

const sfnMock = mockClient(SFNClient);
const KEY_A = '1234abcd-12ab-34cd-56ef-1234567890ab';
const KEY_B = 'mrk-0123456789abcdef0123456789abcdef';
const ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:byok-prod-import-key-material';

describe('last import results from Step Functions', () => {
  afterEach(() => {
    sfnMock.reset();
  });

  it('finds the import state machine and keeps each key latest finished execution', async () => {
    // Prepare
    sfnMock.on(ListStateMachinesCommand).resolves({
      stateMachines: [
        {
          name: 'byok-prod-reimport-expiring-keys',
          stateMachineArn: `${ARN}x`,
          type: 'STANDARD',
          creationDate: new Date(),
        },
        {
          name: 'byok-prod-import-key-material',
          stateMachineArn: ARN,
          type: 'STANDARD',
          creationDate: new Date(),
        },
      ],
    });
    sfnMock.on(ListExecutionsCommand, { stateMachineArn: ARN }).resolves({
      executions: ['e-old', 'e-new', 'e-b', 'e-running'].map((name) => ({
        executionArn: `${ARN}:${name}`,
        stateMachineArn: ARN,
        name,
        status: name === 'e-running' ? 'RUNNING' : 'SUCCEEDED',
        startDate: new Date(),
      })),
    });
    const described = {
      'e-old': { status: 'SUCCEEDED', stop: '2026-05-01T00:00:00Z', keyId: KEY_A },
      'e-new': {
        status: 'FAILED',
        stop: '2026-06-01T00:00:00Z',
        keyId: `arn:aws:kms:us-east-1:111122223333:key/${KEY_A}`,
      },
      'e-b': { status: 'SUCCEEDED', stop: '2026-06-02T00:00:00Z', keyId: KEY_B },
    } as const;
    for (const [name, run] of Object.entries(described)) {
      sfnMock.on(DescribeExecutionCommand, { executionArn: `${ARN}:${name}` }).resolves({
        executionArn: `${ARN}:${name}`,
        stateMachineArn: ARN,
        status: run.status,
        startDate: new Date(run.stop),
        stopDate: new Date(run.stop),
        input: JSON.stringify({ keyId: run.keyId }),
        ...(run.status === 'FAILED' ? { error: 'HsmKeyNotFoundError' } : {}),
      });
    }

    // Act
    const runs = await lastRunsFromStepFunctions(new SFNClient({ region: 'us-east-1' }));

    // Assess
    expect(Object.fromEntries(runs)).toEqual({
      [KEY_A]: { result: 'FAILED', at: '2026-06-01T00:00:00.000Z', error: 'HsmKeyNotFoundError' },
      [KEY_B]: { result: 'SUCCEEDED', at: '2026-06-02T00:00:00.000Z' },
    });
    expect(sfnMock.commandCalls(DescribeExecutionCommand, { executionArn: `${ARN}:e-running` })).toHaveLength(
      0,
    );
  });

  it('returns nothing when no import state machine is deployed', async () => {
    // Prepare
    sfnMock.on(ListStateMachinesCommand).resolves({ stateMachines: [] });

    // Act
    const runs = await lastRunsFromStepFunctions(new SFNClient({ region: 'us-east-1' }));

    // Assess
    expect(runs.size).toBe(0);
  });
});

describe('time left', () => {
  it.each([
    [3 * 86_400 + 4 * 3600 + 59, '3d 4h'],
    [5 * 3600 + 12 * 60, '5h 12m'],
    [59, '0m'],
    [-(2 * 3600 + 5 * 60), '-2h 5m'],
  ])('%i seconds reads %s', (seconds, text) => {
    // Act
    const shown = formatTimeLeft(seconds);

    // Assess
    expect(shown).toBe(text);
  });
});
