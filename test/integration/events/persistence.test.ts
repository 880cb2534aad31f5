// The local EventBridge with a state dir: rules, targets and whether byok's rules are enabled
// survive a restart of the stack, the file is private to its owner, and a damaged file stops the
// stack with a clear error instead of silently dropping rules.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeRuleCommand,
  DisableRuleCommand,
  type EventBridgeClient,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEventBridgeClient } from '../../../src/core/aws/clients.ts';
import { LocalStateCorruptError } from '../../../src/local/errors.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';

let stateDir: string;
const running: { stack: LocalStack; client: EventBridgeClient }[] = [];

async function start(): Promise<EventBridgeClient> {
  const stack = await startLocalStack({ port: 0, stateDir });
  const client = createEventBridgeClient({ endpoint: stack.url, region: stack.region });
  running.push({ stack, client });
  return client;
}

async function stopAll(): Promise<void> {
  for (const { stack, client } of running.splice(0)) {
    client.destroy();
    await stack.stop();
  }
}

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'byok-events-state-'));
});

afterEach(async () => {
  await stopAll();
  await rm(stateDir, { recursive: true, force: true });
});

describe('local EventBridge state', () => {
  it('keeps rules, targets and a disabled schedule across a restart', async () => {
    // Prepare
    const before = await start();
    await before.send(new DisableRuleCommand({ Name: 'byok-reimport-sweep' }));
    await before.send(
      new PutRuleCommand({ Name: 'mine', EventPattern: JSON.stringify({ source: ['byok'] }) }),
    );
    await before.send(
      new PutTargetsCommand({
        Rule: 'mine',
        Targets: [{ Id: 'sns', Arn: 'arn:aws:sns:us-east-1:111122223333:mine' }],
      }),
    );
    await stopAll();

    // Act
    const after = await start();

    // Assess
    expect((await after.send(new DescribeRuleCommand({ Name: 'byok-reimport-sweep' }))).State).toBe(
      'DISABLED',
    );
    expect((await after.send(new DescribeRuleCommand({ Name: 'byok-reimport-on-expiration' }))).State).toBe(
      'ENABLED',
    );
    expect((await after.send(new ListTargetsByRuleCommand({ Rule: 'mine' }))).Targets).toEqual([
      { Id: 'sns', Arn: 'arn:aws:sns:us-east-1:111122223333:mine' },
    ]);
    expect((await stat(join(stateDir, 'events.json'))).mode & 0o777).toBe(0o600);
  });

  it('refuses to start on a damaged rules file', async () => {
    // Prepare
    await start();
    await stopAll();
    const file = join(stateDir, 'events.json');
    const stored = JSON.parse(await readFile(file, 'utf8'));
    stored.rules[0].ScheduleExpression = 'every day';
    await writeFile(file, JSON.stringify(stored), { mode: 0o600 });

    // Act
    const restart = startLocalStack({ port: 0, stateDir });

    // Assess
    await expect(restart).rejects.toBeInstanceOf(LocalStateCorruptError);
    await expect(restart).rejects.toThrow(
      /events\.json is unreadable: rules\.0: stored rule byok-\S+ is not valid: ValidationException/,
    );
  });
});
