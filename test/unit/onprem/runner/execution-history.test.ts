// The local side of the sweep's nested executions: which child a StateMachineArn names, and
// StartExecution's name rules (same name and input joins a running execution; a used name is refused).
import { describe, expect, it } from 'vitest';
import { ExecutionHistory, stateMachineNameOf } from '../../../../src/onprem/runner/execution-history.ts';
import type { ExecutionResult } from '../../../../src/onprem/runner/run-execution.ts';

function result(name: string, status: ExecutionResult['status']): ExecutionResult {
  const now = new Date();
  return {
    executionArn: `arn:aws:states:us-east-1:111122223333:execution:import-key-material:${name}`,
    stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:import-key-material',
    name,
    status,
    input: {},
    startDate: now,
    stopDate: now,
    events: [{ type: 'StateFailed', timestamp: 0, Error: 'ThrottlingException' } as never],
    publishedEvents: [],
    ...(status === 'FAILED' ? { error: 'HsmKeyNotFoundError', cause: 'no key labelled x' } : {}),
  };
}

// ASL placeholders are literal `${...}` text, not template strings.
const placeholder = (name: string) => `\${${name}}`;

describe('nested executions', () => {
  it.each([
    [placeholder('ImportKeyMaterialStateMachineArn'), 'import-key-material'],
    ['arn:aws:states:us-east-1:111122223333:stateMachine:reimport-expiring-keys', 'reimport-expiring-keys'],
    ['arn:aws:lambda:us-east-1:111122223333:function:x', undefined],
    [placeholder('ImportKeyMaterialFunctionArn'), undefined],
  ])('reads %s as %s', (arn, expected) => {
    // Act
    const name = stateMachineNameOf(arn);

    // Assess
    expect(name).toBe(expected);
  });

  it('joins a running execution started with the same name and input', async () => {
    // Prepare
    const history = new ExecutionHistory();
    let starts = 0;
    let finish: (value: ExecutionResult) => void = () => undefined;
    const start = () => {
      starts += 1;
      return new Promise<ExecutionResult>((resolve) => {
        finish = resolve;
      });
    };

    // Act
    const first = history.run('import-key-material', 'reimport-k-1', { keyId: 'k-1' }, 'test', start);
    const second = history.run('import-key-material', 'reimport-k-1', { keyId: 'k-1' }, 'test', start);
    finish(result('reimport-k-1', 'SUCCEEDED'));

    // Assess
    expect(await first).toBe(await second);
    expect(starts).toBe(1);
    expect(history.list()).toHaveLength(1);
  });

  it('refuses a name already used, as StartExecution does', async () => {
    // Prepare
    const history = new ExecutionHistory();
    await history.run('import-key-material', 'n', { keyId: 'k-1' }, 'test', async () =>
      result('n', 'SUCCEEDED'),
    );

    // Act
    const again = history.run('import-key-material', 'n', { keyId: 'k-1' }, 'test', async () =>
      result('n', 'SUCCEEDED'),
    );

    // Assess
    await expect(again).rejects.toMatchObject({ name: 'StepFunctions.ExecutionAlreadyExistsException' });
  });

  it('records failures with their error, cause and the errors of every state', async () => {
    // Prepare
    const history = new ExecutionHistory();

    // Act
    await history.run('import-key-material', 'f', { keyId: 'k-2' }, 'rule:x', async () =>
      result('f', 'FAILED'),
    );

    // Assess
    expect(history.failed()).toEqual([
      expect.objectContaining({
        name: 'f',
        status: 'FAILED',
        error: 'HsmKeyNotFoundError',
        cause: 'no key labelled x',
        startedBy: 'rule:x',
        stateErrors: ['ThrottlingException'],
      }),
    ]);
  });
});
