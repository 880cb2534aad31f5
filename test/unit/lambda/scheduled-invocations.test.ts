// The deployed record of what byok's executions scheduled (src/lambda/scheduled-invocations.ts):
// LambdaFunctionScheduled events of the execution's history, for this function, of byok's own
// state machines, while the execution runs. The SFN client is mocked with the events' AWS shape.
import { GetExecutionHistoryCommand, type HistoryEvent, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { UnscheduledInvocationError } from '../../../src/core/step-kernel/errors.ts';
import { requireScheduledInvocation } from '../../../src/core/step-kernel/scheduled-invocations.ts';
import { stepFunctionsScheduledInvocations } from '../../../src/lambda/scheduled-invocations.ts';

const sfnMock = mockClient(SFNClient);
const MACHINE = 'arn:aws:states:eu-west-1:111122223333:stateMachine:byok-dev-import-key-material';
const EXECUTION = 'arn:aws:states:eu-west-1:111122223333:execution:byok-dev-import-key-material:run-1';
const FUNCTION = 'byok-dev-importKeyMaterial';
const schema = z.object({ blob: z.string(), executionId: z.string().optional() });
const payload = { blob: 'AQID', executionId: EXECUTION };

function scheduledEvent(
  input: unknown,
  resource = `arn:aws:lambda:eu-west-1:111122223333:function:${FUNCTION}`,
) {
  return {
    id: 7,
    type: 'LambdaFunctionScheduled',
    timestamp: new Date(),
    lambdaFunctionScheduledEventDetails: {
      resource,
      input: JSON.stringify(input),
      inputDetails: { truncated: false },
    },
  } satisfies HistoryEvent;
}

function check(input: z.infer<typeof schema>, executionId: string | undefined = input.executionId) {
  const scheduledInvocations = stepFunctionsScheduledInvocations({
    sfn: new SFNClient({}),
    functionName: FUNCTION,
    stateMachineArns: [MACHINE],
    maxEvents: 2000,
  });
  return requireScheduledInvocation(
    { scheduledInvocations },
    { step: 'ImportKeyMaterial', executionId, input, schema },
  );
}

describe('stepFunctionsScheduledInvocations', () => {
  afterEach(() => {
    sfnMock.reset();
  });

  it('accepts the payload the running execution scheduled for this function, whatever its key order', async () => {
    // Prepare
    sfnMock.on(GetExecutionHistoryCommand).resolves({
      events: [
        scheduledEvent({ executionId: EXECUTION, blob: 'AQID' }),
        { id: 1, type: 'ExecutionStarted', timestamp: new Date() },
      ],
    });

    // Act
    const act = check(payload);

    // Assess
    await expect(act).resolves.toBeUndefined();
    expect(sfnMock.commandCalls(GetExecutionHistoryCommand)[0]?.args[0].input).toMatchObject({
      executionArn: EXECUTION,
      reverseOrder: true,
      includeExecutionData: true,
    });
  });

  it('refuses another blob, the same payload scheduled for another function, a truncated input and an ended execution', async () => {
    // Prepare
    const cases: HistoryEvent[][] = [
      [scheduledEvent({ ...payload, blob: 'BAUG' })],
      [scheduledEvent(payload, 'arn:aws:lambda:eu-west-1:111122223333:function:byok-dev-verifyImport')],
      [
        {
          ...scheduledEvent(payload),
          lambdaFunctionScheduledEventDetails: {
            resource: FUNCTION,
            input: '{"blob":"AQ',
            inputDetails: { truncated: true },
          },
        },
      ],
      [{ id: 9, type: 'ExecutionSucceeded', timestamp: new Date() }, scheduledEvent(payload)],
    ];

    for (const events of cases) {
      sfnMock.reset();
      sfnMock.on(GetExecutionHistoryCommand).resolves({ events });

      // Act
      const act = check(payload);

      // Assess
      await expect(act).rejects.toThrow(UnscheduledInvocationError);
    }
  });

  it('does not read executions of other state machines, and refuses a payload that names no execution', async () => {
    // Prepare
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [scheduledEvent(payload)] });
    const mallorys = 'arn:aws:states:eu-west-1:111122223333:execution:mallory-invokes-import:run-1';

    // Act
    const elsewhere = check({ ...payload, executionId: mallorys });
    const nameless = check({ blob: 'AQID' }, undefined);

    // Assess
    await expect(elsewhere).rejects.toThrow(UnscheduledInvocationError);
    await expect(nameless).rejects.toThrow('names no execution');
    expect(sfnMock.commandCalls(GetExecutionHistoryCommand)).toHaveLength(0);
  });

  it('accepts the Payload a lambda:invoke.waitForTaskToken Task scheduled for this function, and only that', async () => {
    // Prepare: AwaitApproval's TaskScheduled event, with its Parameters as Step Functions resolved them.
    const taskScheduled = (functionName: string, resourceType = 'lambda'): HistoryEvent => ({
      id: 8,
      type: 'TaskScheduled',
      timestamp: new Date(),
      taskScheduledEventDetails: {
        resourceType,
        resource: 'invoke.waitForTaskToken',
        region: 'eu-west-1',
        parameters: JSON.stringify({
          FunctionName: `arn:aws:lambda:eu-west-1:111122223333:function:${functionName}`,
          Payload: payload,
        }),
      },
    });
    const judgements: boolean[] = [];

    for (const event of [
      taskScheduled(FUNCTION),
      taskScheduled('byok-dev-verifyImport'),
      taskScheduled(FUNCTION, 'dynamodb'),
    ]) {
      sfnMock.reset();
      sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [event] });

      // Act
      judgements.push(
        await check(payload).then(
          () => true,
          () => false,
        ),
      );
    }

    // Assess
    expect(judgements).toEqual([true, false, false]);
  });

  it('reads page after page, newest first, up to its limit', async () => {
    // Prepare: the scheduled event on page 2 is found; one on page 3 is past the 2,000-event limit.
    const filler = (count: number): HistoryEvent[] =>
      Array.from({ length: count }, (_, index) => ({
        id: index + 100,
        type: 'TaskStateEntered',
        timestamp: new Date(),
      }));
    sfnMock
      .on(GetExecutionHistoryCommand, { nextToken: undefined })
      .resolves({ events: filler(1000), nextToken: 'p2' })
      .on(GetExecutionHistoryCommand, { nextToken: 'p2' })
      .resolves({ events: [...filler(999), scheduledEvent(payload)], nextToken: 'p3' })
      .on(GetExecutionHistoryCommand, { nextToken: 'p3' })
      .resolves({ events: [scheduledEvent({ ...payload, blob: 'BAUG' })] });

    // Act
    const found = check(payload);
    const tooFar = check({ ...payload, blob: 'BAUG' });

    // Assess
    await expect(found).resolves.toBeUndefined();
    await expect(tooFar).rejects.toThrow(UnscheduledInvocationError);
    expect(sfnMock.commandCalls(GetExecutionHistoryCommand, { nextToken: 'p3' })).toHaveLength(0);
  });
});
