// The local EventBridge service dispatches each AWSEvents.* operation to its operation module and
// tells its change listeners (persistence) only after an operation that changed rules or targets.
// Names it does not serve, including Object.prototype's, are UnknownOperationException.
import { describe, expect, it } from 'vitest';
import { LocalEventBridge } from '../../../../src/local/events/event-bus.ts';
import { AwsServiceError, type RequestContext } from '../../../../src/local/protocol.ts';

const CONTEXT = {} as RequestContext;

function bus(): LocalEventBridge {
  return new LocalEventBridge({
    clock: { now: () => new Date('2026-11-30T12:00:00.000Z') },
    region: 'eu-west-1',
    accountId: '111122223333',
  });
}

describe('LocalEventBridge operation table', () => {
  it.each([['NoSuchOperation'], ['toString'], ['constructor'], ['__proto__']])(
    'answers %s with UnknownOperationException',
    async (operation) => {
      // Act
      const outcome = bus().handle(operation, {}, CONTEXT);

      // Assess
      await expect(outcome).rejects.toBeInstanceOf(AwsServiceError);
      await expect(outcome).rejects.toMatchObject({ type: 'UnknownOperationException' });
    },
  );

  it('runs rule and target operations and notifies listeners after changes only', async () => {
    // Prepare
    const eventBridge = bus();
    const changes: string[] = [];
    let current = '';
    eventBridge.onChange(() => changes.push(current));
    const call = (operation: string, input: Record<string, unknown>) => {
      current = operation;
      return eventBridge.handle(operation, input, CONTEXT);
    };

    // Act
    const put = await call('PutRule', { Name: 'sweep', ScheduleExpression: 'rate(1 day)' });
    await call('PutTargets', {
      Rule: 'sweep',
      Targets: [{ Id: 'topic', Arn: 'arn:aws:sns:eu-west-1:111122223333:alerts' }],
    });
    const described = await call('DescribeRule', { Name: 'sweep' });
    const targets = await call('ListTargetsByRule', { Rule: 'sweep' });
    await call('DisableRule', { Name: 'sweep' });
    const listed = await call('ListRules', {});

    // Assess
    expect(put).toEqual({ RuleArn: 'arn:aws:events:eu-west-1:111122223333:rule/sweep' });
    expect(described).toMatchObject({ Name: 'sweep', State: 'ENABLED', CreatedBy: '111122223333' });
    expect(targets).toEqual({ Targets: [{ Id: 'topic', Arn: 'arn:aws:sns:eu-west-1:111122223333:alerts' }] });
    expect(listed).toMatchObject({ Rules: [{ Name: 'sweep', State: 'DISABLED' }] });
    expect(changes).toEqual(['PutRule', 'PutTargets', 'DisableRule']);
    expect(eventBridge.snapshot()).toEqual([
      {
        Name: 'sweep',
        ScheduleExpression: 'rate(1 day)',
        State: 'DISABLED',
        Targets: [{ Id: 'topic', Arn: 'arn:aws:sns:eu-west-1:111122223333:alerts' }],
      },
    ]);
  });
});
