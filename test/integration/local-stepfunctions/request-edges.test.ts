// AWS-shaped edges of the local endpoints, over real HTTP with the real SDK clients: a body over
// the limit is answered with HTTP 413 and an AWS-shaped error (not a TCP reset), and StartExecution's
// members are checked as Step Functions checks them before anything starts.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { ListExecutionsCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient, createSfnClient } from '../../../src/core/aws/clients.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctions,
} from '../../../src/onprem/simulation/step-functions.ts';

const EIGHT_MIB = 8 * 1024 * 1024;

let stack: LocalStack;
let stepFunctions: AttachedStepFunctions;
let kms: KMSClient;
let sfn: SFNClient;
let importArn: string;

beforeAll(async () => {
  stack = await startLocalStack({ port: 0 });
  // Refused requests never reach an execution; one that did would fail on these deps, visibly.
  stepFunctions = attachLocalStepFunctions(stack, {
    deps: async () => {
      throw new Error('no execution should start in these tests');
    },
  });
  kms = createKmsClient({ endpoint: stack.url, region: stack.region });
  sfn = createSfnClient({ endpoint: stack.url, region: stack.region });
  importArn = `arn:aws:states:${stack.region}:${stack.accountId}:stateMachine:import-key-material`;
});

afterAll(async () => {
  kms?.destroy();
  sfn?.destroy();
  await stepFunctions?.close();
  await stack?.stop();
});

async function post(
  target: string,
  body: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(stack.url, {
    method: 'POST',
    headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0' },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function executionCount(): Promise<number> {
  const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: importArn }));
  return listed.executions?.length ?? 0;
}

describe('a request body over the limit', () => {
  it('is answered 413 with an AWS-shaped error to the KMS client, not a connection reset', async () => {
    // Act
    const sent = kms.send(new EncryptCommand({ KeyId: 'alias/any', Plaintext: Buffer.alloc(EIGHT_MIB) }));

    // Assess
    await expect(sent).rejects.toMatchObject({
      name: 'SerializationException',
      message: 'Request body too large',
      $metadata: { httpStatusCode: 413 },
    });
  });

  it('is answered 413 to the Step Functions client, and nothing starts', async () => {
    // Act
    const sent = sfn.send(
      new StartExecutionCommand({
        stateMachineArn: importArn,
        input: JSON.stringify({ pad: 'x'.repeat(EIGHT_MIB) }),
      }),
    );

    // Assess
    await expect(sent).rejects.toMatchObject({
      name: 'SerializationException',
      $metadata: { httpStatusCode: 413 },
    });
    expect(await executionCount()).toBe(0);
  });

  it('is refused before it is sent when the client asks with Expect: 100-continue (curl)', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'byok-413-'));
    const file = join(dir, 'body.json');
    writeFileSync(file, JSON.stringify({ Plaintext: 'A'.repeat(EIGHT_MIB) }));

    // Act
    const output = await new Promise<string>((resolve) => {
      const curl = spawn(
        'curl',
        ['-s', '-i', '-X', 'POST', '-H', 'x-amz-target: TrentService.Encrypt'].concat([
          '--data-binary',
          `@${file}`,
          stack.url,
        ]),
      );
      let text = '';
      curl.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      curl.once('exit', () => resolve(text));
    });
    rmSync(dir, { recursive: true, force: true });

    // Assess
    expect(output).toMatch(/^HTTP\/1\.1 413 /);
    expect(output).not.toContain('100 Continue');
    expect(output).toContain('{"__type":"SerializationException","message":"Request body too large"}');
  });
});

describe('StartExecution members checked as Step Functions checks them', () => {
  it.each([
    ['a number', 5],
    ['a boolean', true],
    ['an object', { first: 'x' }],
    ['an array', ['x']],
  ])('refuses %s as the name with ValidationException, and starts nothing', async (_case, name) => {
    // Act
    const answer = await post(
      'AWSStepFunctions.StartExecution',
      JSON.stringify({ stateMachineArn: importArn, name, input: '{}' }),
    );

    // Assess
    expect(answer).toEqual({
      status: 400,
      body: {
        __type: 'ValidationException',
        message:
          "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must be a string",
      },
    });
    expect(await executionCount()).toBe(0);
  });

  it('refuses an input that is not a string with ValidationException', async () => {
    // Act
    const answer = await post(
      'AWSStepFunctions.StartExecution',
      JSON.stringify({ stateMachineArn: importArn, input: { keyId: 'x' } }),
    );

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      __type: 'ValidationException',
      message:
        "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must be a string",
    });
  });

  it('refuses an input over 256 KiB with ValidationException, without echoing it', async () => {
    // Act
    const sent = sfn.send(
      new StartExecutionCommand({
        stateMachineArn: importArn,
        input: JSON.stringify({ pad: 'secret'.repeat(50_000) }),
      }),
    );

    // Assess
    await expect(sent).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144",
    });
  });

  it.each([
    ['missing', {}, "Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null"],
    [
      'a number',
      { stateMachineArn: 7 },
      "Value at 'stateMachineArn' failed to satisfy constraint: Member must be a string",
    ],
    [
      'over 256 characters',
      { stateMachineArn: `${importArn}${'x'.repeat(256)}` },
      'failed to satisfy constraint: Member must have length less than or equal to 256',
    ],
  ])('refuses a stateMachineArn that is %s with ValidationException', async (_case, fields, message) => {
    // Act
    const answer = await post('AWSStepFunctions.StartExecution', JSON.stringify({ input: '{}', ...fields }));

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body.__type).toBe('ValidationException');
    expect(answer.body.message).toContain(message);
  });

  it('takes a JSON null member as absent, as AWS JSON protocols do', async () => {
    // Act
    const answer = await post(
      'AWSStepFunctions.StartExecution',
      JSON.stringify({ stateMachineArn: importArn, name: null, input: 'not json' }),
    );

    // Assess
    expect(answer.body.__type).toBe('InvalidExecutionInput');
  });
});
