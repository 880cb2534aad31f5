// Acceptance (gap G1 in the activity placement): the worker wraps only the pairings its own
// configuration binds, and only under a wrapping key it got from KMS itself, whatever a task asks.
// A real `byok worker` process polls a local stack held by this test over real HTTP, so the test can
// also put tasks of its own making on the wrap activity, as a compromised AWS side could.
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { DescribeKeyCommand, ImportKeyMaterialCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKmsClient, createSfnClient } from '../../../src/core/aws/clients.ts';
import type { WrapKeyMaterialOutput } from '../../../src/core/import/contracts.ts';
import { type LocalStack, startLocalStack } from '../../../src/local/stack.ts';
import { localActivityArn } from '../../../src/onprem/runner/hsm-placement.ts';
import { createTaskTokenServiceOn, type TaskTokenService } from '../../../src/onprem/runner/tasks/service.ts';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctionsWithLocalToken,
} from '../../../src/onprem/simulation/step-functions.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';
import { createManagedExternalKey } from '../../helpers/managed-key.ts';
import { runByok, spawnWorker, type WorkerProcess } from '../../helpers/worker-process.ts';

describe('byok worker allowlist and its own wrapping key', () => {
  let token: TestToken;
  let stack: LocalStack;
  let tasks: TaskTokenService;
  let stepFunctions: AttachedStepFunctions;
  let kms: KMSClient;
  let sfn: SFNClient;
  let worker: WorkerProcess;
  let boundArn: string;
  let otherArn: string;

  beforeAll(async () => {
    token = await createTestToken('nss', { keys: [{ label: 'aes-bound', type: 'AES_256' }] });
    await token.hsm?.close();
    stack = await startLocalStack({ port: 0 });
    tasks = createTaskTokenServiceOn(stack.clock);
    stepFunctions = attachLocalStepFunctionsWithLocalToken(stack, { tasks, hsmPlacement: 'activity' });
    kms = createKmsClient({ endpoint: stack.url });
    sfn = createSfnClient({ endpoint: stack.url });
    const arnOf = async (keyId: string) =>
      (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.Arn as string;
    boundArn = await arnOf(await createManagedExternalKey(kms, { hsmKeyLabel: 'aes-bound', unbound: true }));
    // The AWS side's bindings store (wrongly) binds the HSM key to the other key: the worker's own
    // allowlist still refuses it, whatever the AWS side was told.
    otherArn = await arnOf(await createManagedExternalKey(kms, { hsmKeyLabel: 'aes-bound' }));
    worker = spawnWorker(['--endpoint', stack.url, '--bind', `aes-bound=${boundArn}`], {
      BYOK_HOME: token.byokHome,
    });
    await worker.polling;
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    kms?.destroy();
    sfn?.destroy();
    await stepFunctions?.close();
    tasks?.close();
    await stack?.stop();
    await token?.cleanup();
  });

  it('refuses a task pairing its HSM key with another KMS key by name, wraps nothing, and raises an alert', async () => {
    // Act: the other KMS key is tagged with the bound HSM key's label, so the workflow asks for it.
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: `arn:aws:states:${stack.region}:${stack.accountId}:stateMachine:import-key-material`,
        input: JSON.stringify({ keyId: otherArn, wrappingKeySpec: 'RSA_2048' }),
      }),
    );
    let described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    while (described.status === 'RUNNING') {
      await new Promise((resolve) => setTimeout(resolve, 100));
      described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    }

    // Assess
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('WorkerKeyNotBoundError');
    const other = await kms.send(new DescribeKeyCommand({ KeyId: otherArn }));
    expect(other.KeyMetadata?.KeyState).toBe('PendingImport');
    const [line] = await worker.waitForTasks(1);
    expect(line).toMatchObject({
      keyId: otherArn,
      hsmKeyLabel: 'aes-bound',
      outcome: 'refused',
      error: 'WorkerKeyNotBoundError',
    });
    const alerts = stack.events.bus.log({ source: 'byok', detailType: 'byok Worker Refused Task' }).events;
    expect(alerts.map((event) => event.detail)).toEqual([
      expect.objectContaining({
        keyId: otherArn,
        hsmKeyLabel: 'aes-bound',
        error: 'WorkerKeyNotBoundError',
        executionId: started.executionArn,
      }),
    ]);
  }, 60_000);

  it("wraps only under the key it got from KMS: a task carrying the tester's public key yields nothing the tester can unwrap", async () => {
    // Prepare: a task as a compromised AWS side would send it, with a wrapping key of our making.
    const mine = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const task = tasks.startActivityTask({
      executionArn: `arn:aws:states:${stack.region}:${stack.accountId}:execution:import-key-material:forged`,
      stateName: 'WrapKeyMaterial',
      activityArn: localActivityArn('wrap-key-material', stack.region, stack.accountId),
      heartbeatSeconds: 30,
      input: {
        executionId: `arn:aws:states:${stack.region}:${stack.accountId}:execution:import-key-material:forged`,
        importParameters: {
          keyId: boundArn,
          keySpec: 'SYMMETRIC_DEFAULT',
          keyUsage: 'ENCRYPT_DECRYPT',
          family: 'SYMMETRIC',
          hsmKeyLabel: 'aes-bound',
          hsmKeyType: 'AES_256',
          wrappingAlgorithm: 'RSAES_OAEP_SHA_256',
          wrappingKeySpec: 'RSA_2048',
          expirationModel: 'KEY_MATERIAL_EXPIRES',
          validTo: new Date(stack.clock.now().getTime() + 30 * 86_400_000).toISOString(),
          importToken: Buffer.from('forged import token').toString('base64'),
          wrappingPublicKey: mine.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
          parametersValidTo: new Date(stack.clock.now().getTime() + 86_400_000).toISOString(),
          importTokenAttempt: 1,
        },
      },
    });

    // Act
    const output = (await task.outcome) as unknown as WrapKeyMaterialOutput;
    const unwrap = () =>
      privateDecrypt(
        { key: mine.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        Buffer.from(output.wrappedKeyMaterial, 'base64'),
      );

    // Assess: our private key opens nothing; the blob and the worker's own token are KMS's to import.
    expect(unwrap).toThrow();
    expect(output.importToken).not.toBe(Buffer.from('forged import token').toString('base64'));
    await kms.send(
      new ImportKeyMaterialCommand({
        KeyId: boundArn,
        ImportToken: Buffer.from(output.importToken, 'base64'),
        EncryptedKeyMaterial: Buffer.from(output.wrappedKeyMaterial, 'base64'),
        ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      }),
    );
    const bound = await kms.send(new DescribeKeyCommand({ KeyId: boundArn }));
    expect(bound.KeyMetadata?.KeyState).toBe('Enabled');
  }, 60_000);

  it('refuses to start without a binding, and warns when told to wrap any key for development', async () => {
    // Act
    const refused = await runByok(['worker', '--endpoint', stack.url], { BYOK_HOME: token.byokHome });
    const dev = spawnWorker(['--endpoint', stack.url, '--allow-any-key-for-development'], {
      BYOK_HOME: token.byokHome,
    });
    await dev.polling;
    const devExit = await dev.stop();

    // Assess
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('byok: WorkerBindingsMissingError:');
    expect(refused.stderr).toContain('hint: bind each HSM key');
    expect(refused.stderr).not.toContain('    at ');
    expect(dev.stderr()).toContain('WARNING: --allow-any-key-for-development');
    expect(devExit).toEqual({ code: 0, signal: null });
  }, 60_000);
});
