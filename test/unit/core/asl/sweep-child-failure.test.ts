// The sweep's per-key item (statemachines/reimport-expiring-keys.asl.json, ReimportEachKey's
// ItemProcessor) on the real ASL interpreter, its nested import execution stood in for: a child
// import that failed with an error is that key's failure, and one that ended without an error of its
// own (an ABORTED child's DescribeExecution has no Error or Cause) is a failure too. MarkChildFailed
// read $.child.Error and $.child.Cause unconditionally: such a child made that path fail, which
// failed the Map and the whole sweep with no report for any key.
import '../../../../src/core/polyfills.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';

const definition = JSON.parse(
  readFileSync(
    join(import.meta.dirname, '../../../../statemachines/reimport-expiring-keys.asl.json'),
    'utf8',
  ),
) as {
  States: {
    ReimportEachKey: { ItemProcessor: { StartAt: string; States: Record<string, Record<string, unknown>> } };
  };
};

/** The item processor with a literal child state machine ARN (the placeholder is resolved at deploy). */
function itemProcessor(): StateMachine {
  const { StartAt, States } = structuredClone(definition.States.ReimportEachKey.ItemProcessor);
  const run = States.RunImportWorkflow as { Parameters: Record<string, unknown> };
  run.Parameters.StateMachineArn = 'arn:aws:states:us-east-1:111122223333:stateMachine:import-key-material';
  return new StateMachine({ StartAt, States } as never, { validationOptions: { checkArn: false } } as never);
}

/** One key through the item, its nested import failing as startExecution.sync:2 fails on AWS. */
async function itemWithChildFailure(child: Record<string, unknown>): Promise<unknown> {
  const execution = itemProcessor().run(
    {
      key: {
        keyId: 'key-1',
        notBefore: '2020-01-01T00:00:00Z',
        executionName: 'reimport-key-1',
        importInput: {},
      },
    },
    {
      overrides: {
        taskResourceLocalHandlers: {
          RunImportWorkflow: async () => {
            const failure = new Error(JSON.stringify(child));
            failure.name = 'States.TaskFailed';
            throw failure;
          },
        },
      },
    } as never,
  );
  return execution.result;
}

describe('the sweep item when its nested import fails', () => {
  it("reports the child's own error and cause", async () => {
    // Act
    const result = await itemWithChildFailure({
      Status: 'FAILED',
      Error: 'HsmKeyNotFoundError',
      Cause: 'no key',
    });

    // Assess
    expect(result).toEqual({
      keyId: 'key-1',
      status: 'FAILED',
      error: 'HsmKeyNotFoundError',
      cause: 'no key',
    });
  });

  it('reports a child that ended without an error (ABORTED) as a failure of that key, not a failed sweep', async () => {
    // Act
    const result = await itemWithChildFailure({
      Status: 'ABORTED',
      ExecutionArn: 'arn:aws:states:…:execution:x',
    });

    // Assess
    expect(result).toMatchObject({ keyId: 'key-1', status: 'FAILED', error: 'ChildExecutionEnded' });
  });

  it('reports a child whose error came without a cause', async () => {
    // Act
    const result = await itemWithChildFailure({ Status: 'FAILED', Error: 'States.Timeout' });

    // Assess
    expect(result).toEqual({ keyId: 'key-1', status: 'FAILED', error: 'States.Timeout', cause: '' });
  });
});
