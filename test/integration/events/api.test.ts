// The local EventBridge over real HTTP: the SDK's EventBridgeClient and the AWS CLI against the
// stack's one port, rules with patterns and schedules on the virtual clock, deliveries to targets.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  DeleteRuleCommand,
  DescribeRuleCommand,
  DisableRuleCommand,
  type EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEventBridgeClient } from '../../../src/core/aws/clients.ts';
import type { AttachedEvents } from '../../../src/local/events/attach.ts';
import type { TargetDelivery } from '../../../src/local/events/event-bus.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';

const run = promisify(execFile);
const QUEUE_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:recorder';
const HOUR = 3_600_000;

let stack: LocalStack;
let events: AttachedEvents;
let client: EventBridgeClient;
const delivered: TargetDelivery[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  events = stack.events;
  // A recording target stands in for a state machine here; the sweep tests use the real runner.
  events.bus.addTargetHandler({
    matches: (arn) => arn === QUEUE_ARN,
    deliver: async (delivery) => {
      delivered.push(delivery);
      return 'recorded';
    },
  });
  client = createEventBridgeClient({ endpoint: stack.url, region: stack.region });
});

afterAll(async () => {
  client.destroy();
  await stack.stop();
});

beforeEach(async () => {
  delivered.length = 0;
  const rules = (await client.send(new ListRulesCommand({}))).Rules ?? [];
  for (const rule of rules) {
    const targets = (await client.send(new ListTargetsByRuleCommand({ Rule: rule.Name }))).Targets ?? [];
    if (targets.length > 0) {
      await client.send(
        new RemoveTargetsCommand({ Rule: rule.Name, Ids: targets.map((t) => t.Id as string) }),
      );
    }
    await client.send(new DeleteRuleCommand({ Name: rule.Name }));
  }
});

describe('local EventBridge API', () => {
  it('manages rules and targets as EventBridge does', async () => {
    // Prepare
    const pattern = JSON.stringify({ source: ['byok'] });

    // Act
    const put = await client.send(
      new PutRuleCommand({ Name: 'on-byok', EventPattern: pattern, Description: 'd' }),
    );
    await client.send(
      new PutTargetsCommand({
        Rule: 'on-byok',
        Targets: [{ Id: 't1', Arn: QUEUE_ARN, InputPath: '$.detail' }],
      }),
    );
    const described = await client.send(new DescribeRuleCommand({ Name: 'on-byok' }));
    const targets = await client.send(new ListTargetsByRuleCommand({ Rule: 'on-byok' }));
    const deleteWithTargets = client.send(new DeleteRuleCommand({ Name: 'on-byok' }));

    // Assess
    expect(put.RuleArn).toBe('arn:aws:events:us-east-1:111122223333:rule/on-byok');
    expect(described).toMatchObject({
      Name: 'on-byok',
      EventPattern: pattern,
      State: 'ENABLED',
      Description: 'd',
    });
    expect(targets.Targets).toEqual([{ Id: 't1', Arn: QUEUE_ARN, InputPath: '$.detail' }]);
    await expect(deleteWithTargets).rejects.toMatchObject({
      name: 'ValidationException',
      message: "Rule can't be deleted since it has targets.",
    });
  });

  it.each([
    ['a rule with neither pattern nor schedule', { Name: 'r' }, 'ValidationException'],
    [
      'a malformed pattern',
      { Name: 'r', EventPattern: '{"source": "byok"}' },
      'InvalidEventPatternException',
    ],
    ['a bad schedule', { Name: 'r', ScheduleExpression: 'rate(1 days)' }, 'ValidationException'],
    ['a bad name', { Name: 'no spaces', ScheduleExpression: 'rate(1 day)' }, 'ValidationException'],
  ])('refuses %s', async (_case, input, errorName) => {
    // Act
    const put = client.send(new PutRuleCommand(input));

    // Assess
    await expect(put).rejects.toMatchObject({ name: errorName });
  });

  it('answers ResourceNotFoundException for targets of a rule that does not exist', async () => {
    // Act
    const list = client.send(new ListTargetsByRuleCommand({ Rule: 'missing' }));

    // Assess
    await expect(list).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Rule missing does not exist on EventBus default.',
    });
  });

  it('delivers matching events with the target input shaped by an InputTransformer', async () => {
    // Prepare
    await client.send(
      new PutRuleCommand({
        Name: 'alerts',
        EventPattern: JSON.stringify({ detail: { failed: [{ numeric: ['>', 0] }] } }),
      }),
    );
    await client.send(
      new PutTargetsCommand({
        Rule: 'alerts',
        Targets: [
          {
            Id: 't1',
            Arn: QUEUE_ARN,
            InputTransformer: {
              InputPathsMap: { sweep: '$.detail.sweepId', failed: '$.detail.failed' },
              InputTemplate: '{"sweep": <sweep>, "failed": <failed>, "text": "sweep <sweep> failed"}',
            },
          },
        ],
      }),
    );

    // Act
    const put = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'byok', DetailType: 'Sweep', Detail: JSON.stringify({ sweepId: 's-1', failed: 2 }) },
          { Source: 'byok', DetailType: 'Sweep', Detail: JSON.stringify({ sweepId: 's-2', failed: 0 }) },
        ],
      }),
    );
    await events.bus.idle();

    // Assess
    expect(put.FailedEntryCount).toBe(0);
    expect(delivered.map((delivery) => JSON.parse(delivery.input))).toEqual([
      { sweep: 's-1', failed: 2, text: 'sweep s-1 failed' },
    ]);
  });

  it('refuses entries without a source or from an aws.* source, per entry', async () => {
    // Act
    const put = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'aws.kms', DetailType: 'x', Detail: '{}' },
          { DetailType: 'x', Detail: '{}' },
          { Source: 'byok', DetailType: 'x', Detail: 'not json' },
          { Source: 'byok', DetailType: 'x', Detail: '{}' },
        ],
      }),
    );

    // Assess
    expect(put.FailedEntryCount).toBe(3);
    expect(put.Entries?.map((entry) => entry.ErrorCode)).toEqual([
      'NotAuthorizedForSourceException',
      'InvalidArgument',
      'InvalidArgument',
      undefined,
    ]);
  });

  it('fires a rate schedule at each period on the virtual clock, and not while disabled', async () => {
    // Prepare
    const created = stack.clock.now().getTime();
    await client.send(new PutRuleCommand({ Name: 'hourly', ScheduleExpression: 'rate(1 hour)' }));
    await client.send(
      new PutTargetsCommand({ Rule: 'hourly', Targets: [{ Id: 't1', Arn: QUEUE_ARN, Input: '{"n":1}' }] }),
    );

    // Act
    await stack.clock.advance(3 * HOUR + 60_000);
    await client.send(new DisableRuleCommand({ Name: 'hourly' }));
    await stack.clock.advance(5 * HOUR);

    // Assess
    // Event times are whole seconds; the rule counts from the instant it was created.
    const fired = delivered.map((delivery) => Date.parse(delivery.event.time));
    expect(fired).toHaveLength(3);
    expect(fired[0]).toBeGreaterThanOrEqual(Math.floor(created / 1000) * 1000 + HOUR);
    expect(fired[0]).toBeLessThanOrEqual(created + HOUR + 1000);
    expect(fired.slice(1).map((at, i) => at - (fired[i] as number))).toEqual([HOUR, HOUR]);
    expect(delivered.every((delivery) => delivery.input === '{"n":1}')).toBe(true);
    expect(delivered[0]?.event).toMatchObject({ source: 'aws.events', 'detail-type': 'Scheduled Event' });
  });

  it('fires a six-field AWS cron at its UTC instants', async () => {
    // Prepare
    await client.send(new PutRuleCommand({ Name: 'daily', ScheduleExpression: 'cron(30 4 * * ? *)' }));
    await client.send(new PutTargetsCommand({ Rule: 'daily', Targets: [{ Id: 't1', Arn: QUEUE_ARN }] }));

    // Act
    await stack.clock.advance(3 * 24 * HOUR);

    // Assess
    expect(delivered).toHaveLength(3);
    expect(delivered.every((delivery) => delivery.event.time.endsWith('T04:30:00Z'))).toBe(true);
  });

  it('shows events and deliveries at /_byok/events and works with the AWS CLI', async () => {
    // Prepare
    await client.send(
      new PutRuleCommand({ Name: 'cli', EventPattern: JSON.stringify({ source: ['cli.test'] }) }),
    );
    await client.send(
      new PutTargetsCommand({
        Rule: 'cli',
        Targets: [{ Id: 'sns', Arn: 'arn:aws:sns:us-east-1:111122223333:alerts' }],
      }),
    );
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
    };

    // Act
    const cli = await run(
      '/usr/bin/aws',
      [
        'events',
        'put-events',
        '--endpoint-url',
        stack.url,
        '--entries',
        JSON.stringify([{ Source: 'cli.test', DetailType: 'Hello', Detail: '{"n":7}' }]),
      ],
      { env },
    );
    const listed = await run(
      '/usr/bin/aws',
      ['events', 'list-rules', '--endpoint-url', stack.url, '--name-prefix', 'cl'],
      { env },
    );
    await events.bus.idle();
    const view = (await (await fetch(`${stack.url}/_byok/events?source=cli.test`)).json()) as {
      events: { detail: unknown }[];
      deliveries: { targetArn: string; status: string; input: unknown }[];
    };

    // Assess
    expect(JSON.parse(cli.stdout)).toMatchObject({ FailedEntryCount: 0 });
    expect(JSON.parse(listed.stdout).Rules.map((rule: { Name: string }) => rule.Name)).toEqual(['cli']);
    expect(view.events.map((event) => event.detail)).toEqual([{ n: 7 }]);
    expect(view.deliveries).toEqual([
      expect.objectContaining({
        targetArn: 'arn:aws:sns:us-east-1:111122223333:alerts',
        status: 'SUCCEEDED',
      }),
    ]);
  });

  it('answers TestEventPattern with the same matching the rules use', async () => {
    // Prepare
    const event = {
      id: '1',
      account: '111122223333',
      source: 'aws.kms',
      time: '2026-06-01T03:00:00Z',
      region: 'us-east-1',
      resources: [],
      'detail-type': 'KMS Imported Key Material Expiration',
      detail: { 'key-id': 'k-1' },
    };
    const test = (pattern: object) =>
      client.send(
        new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(event) }),
      );

    // Act
    const matching = await test({ source: ['aws.kms'], detail: { 'key-id': [{ exists: true }] } });
    const other = await test({ source: ['byok'] });
    const incomplete = client.send(
      new TestEventPatternCommand({ EventPattern: '{"source":["x"]}', Event: '{"source":"x"}' }),
    );

    // Assess
    expect([matching.Result, other.Result]).toEqual([true, false]);
    await expect(incomplete).rejects.toMatchObject({ name: 'ValidationException' });
  });
});
