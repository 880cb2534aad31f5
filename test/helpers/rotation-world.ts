// A whole local world for the rotation workflow, composed as `byok local up` composes it: the local
// stack (KMS, EventBridge, Step Functions with task tokens on the virtual clock), the approvals API
// on its own loopback port over dynalite, the runner with a real NSS token, and a managed symmetric
// key whose first material was imported by the real import workflow. Rotations complete as soon as
// the clock ticks (kmsRotationDelayMs 0); the workflow's Wait between checks is 100 ms.

import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { KMSClient } from '@aws-sdk/client-kms';
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ApprovalsClient } from '../../src/core/approvals/client.ts';
import type { ApprovalRequestView, RequestStatus } from '../../src/core/approvals/contracts.ts';
import { createKmsClient, createSfnClient } from '../../src/core/aws/clients.ts';
import { TAG_APPROVALS_REQUIRED } from '../../src/core/import/tags.ts';
import { type LocalStack, startLocalStack } from '../../src/local/stack.ts';
import { createLocalDeps, type LocalDeps } from '../../src/onprem/runner/local-deps.ts';
import { runExecution } from '../../src/onprem/runner/run-execution.ts';
import { createTaskTokenServiceOn, type TaskTokenService } from '../../src/onprem/runner/tasks/index.ts';
import {
  type LocalApprovals,
  type StartLocalApprovalsOptions,
  startLocalApprovals,
} from '../../src/onprem/simulation/approvals.ts';
import {
  type AttachedStepFunctions,
  attachLocalStepFunctions,
} from '../../src/onprem/simulation/step-functions.ts';
import { createTestToken, type TestToken } from './hsm.ts';
import { createManagedExternalKey } from './managed-key.ts';

export interface RotationWorld extends WorldParts {
  token: TestToken;
  /** Every handler log line of the runner (DEBUG), for leak scans. */
  logs: string[];
  /** A managed symmetric EXTERNAL key with its first material imported from HSM key `hsmKeyLabel`. */
  newImportedKey(options: { hsmKeyLabel: string; approvalsRequired?: number }): Promise<string>;
  /** An approvals API client signing as `accessKeyId` (local convention: the identity). */
  as(accessKeyId: string): ApprovalsClient;
  /** Polls the request until its status is `status`. */
  waitForStatus(requestId: string, status: RequestStatus): Promise<ApprovalRequestView>;
  /** Polls the execution until it is no longer RUNNING. */
  waitForExecution(
    executionArn: string,
  ): Promise<{ status: string; error?: string; cause?: string; output?: string }>;
  /** Stops everything but the token and starts it again on the same state dir (needs `stateDir`). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export const ACCOUNT = '111122223333';
export const arnOf = (accessKeyId: string) => `arn:aws:iam::${ACCOUNT}:user/${accessKeyId}`;

export interface RotationWorldOptions
  extends Pick<
    StartLocalApprovalsOptions,
    'approvalWindowMs' | 'approvalsRequired' | 'team' | 'principalFor'
  > {
  /**
   * A state dir: the stack's state and the approvals table are kept there, and `restart()` stops
   * everything but the token and starts it again on the same dir (as `byok local up` restarted).
   */
  stateDir?: string | undefined;
}

interface WorldParts {
  stack: LocalStack;
  tasks: TaskTokenService;
  approvals: LocalApprovals;
  stepFunctions: AttachedStepFunctions;
  deps: LocalDeps;
  kms: KMSClient;
  sfn: SFNClient;
}

export async function startRotationWorld(options: RotationWorldOptions = {}): Promise<RotationWorld> {
  const token = await createTestToken('nss');
  const hsm = token.hsm;
  if (!hsm) throw new Error('the test token is not open');
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const { stateDir, ...approvalOptions } = options;
  const compose = async (): Promise<WorldParts> => {
    const stack = await startLocalStack({
      port: 0,
      kmsRotationDelayMs: 0,
      tickMs: 100,
      ...(stateDir ? { stateDir } : {}),
    });
    const tasks = createTaskTokenServiceOn(stack.clock);
    const approvals = await startLocalApprovals(stack, {
      ...approvalOptions,
      ...(stateDir ? { dynamoDbPath: join(stateDir, 'dynamodb') } : {}),
    });
    const deps = await createLocalDeps({
      logLevel: 'DEBUG',
      logStream,
      endpoint: stack.url,
      region: stack.region,
      accountId: stack.accountId,
      clock: stack.clock,
      hsm,
      approvals: approvals.store,
    });
    const stepFunctions = attachLocalStepFunctions(stack, {
      deps: async () => deps,
      tasks,
      overrides: { waitTimeOverrides: { WaitForRotation: 100 } },
    });
    const kms = createKmsClient({ endpoint: stack.url, region: stack.region });
    const sfn = createSfnClient({ endpoint: stack.url, region: stack.region });
    return { stack, tasks, approvals, stepFunctions, deps, kms, sfn };
  };
  const stopParts = async (parts: WorldParts) => {
    parts.kms.destroy();
    parts.sfn.destroy();
    await parts.stepFunctions.close();
    parts.tasks.close();
    await parts.approvals.stop();
    await parts.deps.close();
    await parts.stack.stop();
  };
  const world: RotationWorld = {
    ...(await compose()),
    token,
    logs,
    async newImportedKey({ hsmKeyLabel, approvalsRequired }) {
      await hsm.createKey({ label: hsmKeyLabel, type: 'AES_256' });
      const keyId = await createManagedExternalKey(world.kms, {
        hsmKeyLabel,
        tags:
          approvalsRequired === undefined
            ? []
            : [{ TagKey: TAG_APPROVALS_REQUIRED, TagValue: String(approvalsRequired) }],
      });
      const imported = await runExecution({
        stateMachine: 'import-key-material',
        input: { keyId },
        deps: world.deps,
      });
      if (imported.status !== 'SUCCEEDED')
        throw new Error(`first import failed: ${imported.error} ${imported.cause}`);
      return keyId;
    },
    as(accessKeyId) {
      return new ApprovalsClient({
        endpoint: world.approvals.url,
        region: world.stack.region,
        credentials: { accessKeyId, secretAccessKey: `${accessKeyId}-secret` },
      });
    },
    async waitForStatus(requestId, status) {
      const reader = world.as('observer');
      for (let attempt = 0; attempt < 600; attempt += 1) {
        const { request } = await reader.getRequest(requestId);
        if (request.status === status) return request;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`request ${requestId} never reached ${status}`);
    },
    async waitForExecution(executionArn) {
      for (let attempt = 0; attempt < 1200; attempt += 1) {
        const described = await world.sfn.send(new DescribeExecutionCommand({ executionArn }));
        if (described.status !== 'RUNNING') {
          return {
            status: described.status ?? 'UNKNOWN',
            ...(described.error ? { error: described.error } : {}),
            ...(described.cause ? { cause: described.cause } : {}),
            ...(described.output ? { output: described.output } : {}),
          };
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`execution ${executionArn} still running`);
    },
    async restart() {
      if (!stateDir) throw new Error('restart() needs a world started with a stateDir');
      await stopParts(world);
      Object.assign(world, await compose());
    },
    async stop() {
      await stopParts(world);
      await token.cleanup();
    },
  };
  return world;
}
