// byok's rules in `byok local up`, as a user runs it in separate processes: the local stack serves
// EventBridge with the rules of deploy/event-rules.json, and moving its clock (over the admin API,
// as `byok local clock advance` does) fires the daily sweep, which reimports a key through the
// local Step Functions API before its material expires.

import { ListRulesCommand } from '@aws-sdk/client-eventbridge';
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBridgeClient, createKmsClient, createSfnClient } from '../../../src/core/aws/clients.ts';
import { TAG_VALID_FOR_DAYS } from '../../../src/core/import/tags.ts';
import { type LocalUpOverToken, startLocalUpOverToken } from '../../helpers/local-up.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';

const machine = (name: string) => `arn:aws:states:us-east-1:111122223333:stateMachine:${name}`;

describe('byok local up with the schedule', () => {
  let local: LocalUpOverToken | undefined;
  let url: string;

  beforeAll(async () => {
    local = await startLocalUpOverToken([{ label: 'aes-scheduled', type: 'AES_256' }]);
    url = await local.url;
  });

  afterAll(async () => {
    await local?.stop();
  });

  it('serves the rules and reimports a key on the daily sweep before it expires', async () => {
    // Prepare: a managed key imported for 2 days (due when 1 day is left).
    const kms = createKmsClient({ endpoint: url });
    const sfn = createSfnClient({ endpoint: url });
    const events = createEventBridgeClient({ endpoint: url });
    const keyId = await createManagedExternalKey(kms, {
      hsmKeyLabel: 'aes-scheduled',
      tags: [{ TagKey: TAG_VALID_FOR_DAYS, TagValue: '2' }],
    });
    const first = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: machine('import-key-material'),
        input: JSON.stringify({ keyId }),
      }),
    );
    for (;;) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }));
      if (described.status !== 'RUNNING') break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const validTo = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.ValidTo as Date;

    // Act: three days on the stack's clock.
    const moved = await fetch(`${url}/_byok/clock`, {
      method: 'POST',
      body: JSON.stringify({ advance: '3d' }),
    });

    // Assess
    expect(moved.ok).toBe(true);
    const rules = (await events.send(new ListRulesCommand({ NamePrefix: 'byok-' }))).Rules?.map(
      (rule) => rule.Name,
    );
    expect(rules).toEqual(['byok-alert-on-expiration', 'byok-reimport-on-expiration', 'byok-reimport-sweep']);
    const sweeps = (
      await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine('reimport-expiring-keys') }))
    ).executions;
    expect(sweeps?.length).toBeGreaterThanOrEqual(3);
    expect(sweeps?.every((execution) => execution.status === 'SUCCEEDED')).toBe(true);
    // The sweep's nested import is an execution of its own, listed as on AWS.
    const imports = (
      await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine('import-key-material') }))
    ).executions;
    const children = imports?.filter((execution) => execution.name?.startsWith(`reimport-${keyId}-`)) ?? [];
    expect(children.length).toBeGreaterThanOrEqual(1);
    expect(children.every((execution) => execution.status === 'SUCCEEDED')).toBe(true);
    const after = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    expect(after?.KeyState).toBe('Enabled');
    expect(after?.ValidTo?.getTime()).toBeGreaterThan(validTo.getTime());
    // Reimported before the material expired: KMS never had to send an expiration event.
    const kmsEvents = (await (await fetch(`${url}/_byok/events?source=aws.kms`)).json()) as {
      events: unknown[];
    };
    expect(kmsEvents.events).toEqual([]);
    for (const client of [kms, sfn, events]) client.destroy();
  }, 90_000);
});
