// `byok local up` in its own process serves the task-token and activity operations: a worker in
// another process creates its activity, polls it, and is answered with AWS's token errors, which
// only a composed task-token service can tell apart (malformed vs unknown tokens).
import {
  CreateActivityCommand,
  GetActivityTaskCommand,
  SendTaskHeartbeatCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSfnClient } from '../../../src/core/aws/clients.ts';
import { newTaskToken } from '../../../src/onprem/runner/tasks/index.ts';
import { type LocalUpProcess, spawnLocalUp } from '../../helpers/local-up.ts';

async function awsErrorOf(sending: Promise<unknown>): Promise<string> {
  const error = await sending.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected the request to be refused');
  return error.name;
}

describe('byok local up: task tokens and activities', () => {
  let server: LocalUpProcess;
  let sfn: SFNClient;

  beforeAll(async () => {
    server = spawnLocalUp(['--port', '0', '--memory']);
    sfn = createSfnClient({ endpoint: await server.url });
  });

  afterAll(async () => {
    sfn?.destroy();
    expect(await server?.stop()).toBe(0);
  });

  it('creates an activity, and answers SendTaskHeartbeat with InvalidToken or TaskDoesNotExist', async () => {
    // Act
    const { activityArn } = await sfn.send(new CreateActivityCommand({ name: 'byok-wrap' }));
    const malformed = await awsErrorOf(sfn.send(new SendTaskHeartbeatCommand({ taskToken: 'not-a-token' })));
    const unknown = await awsErrorOf(sfn.send(new SendTaskHeartbeatCommand({ taskToken: newTaskToken() })));
    const stopping = sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'w' }));
    await new Promise((resolve) => setTimeout(resolve, 500)); // the poll is waiting in the stack
    const stopped = server.stop();

    // Assess: a poll in progress when the stack stops ends empty, and the stack exits cleanly.
    expect(activityArn).toBe('arn:aws:states:us-east-1:111122223333:activity:byok-wrap');
    expect([malformed, unknown]).toEqual(['InvalidToken', 'TaskDoesNotExist']);
    expect((await stopping).taskToken).toBeUndefined();
    expect(await stopped).toBe(0);
  });
});
