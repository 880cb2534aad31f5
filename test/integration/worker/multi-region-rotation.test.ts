// An approval-gated rotation of a multi-Region key, end to end through a real `byok worker` process
// (HSM placement on premises: the workflow's CreateRotationMaterial, WrapKeyMaterial and
// WrapForReplica are activities the worker runs against its NSS token). The worker wraps each blob
// under the wrapping key of its own GetParametersForImport (in the replica's Region for the replica)
// and answers with that call's import token; ImportNewMaterial and ImportReplicaMaterial must send
// that token with the blob. The local KMS hands two calls in a row different RSA pairs
// (kmsDistinctWrappingKeys), as AWS does, so a workflow that sent its own step's token instead fails
// with InvalidCiphertextException here as it would on AWS.
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  type KMSClient,
  ListKeyRotationsCommand,
  ReplicateKeyCommand,
} from '@aws-sdk/client-kms';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKmsClient,
  createRegionalKmsClients,
  createSfnClient,
  type RegionalKmsClients,
} from '../../../src/core/aws/clients.ts';
import { TAG_HSM_KEY_LABEL, TAG_MANAGED, TAG_MANAGED_VALUE } from '../../../src/core/import/tags.ts';
import type { LocalStack } from '../../../src/local/stack.ts';
import type { LocalApprovals } from '../../../src/onprem/simulation/approvals.ts';
import { runApprovedRotation } from '../../../src/onprem/simulation/rotation.ts';
import { bindOnLocalStack } from '../../helpers/bindings.ts';
import { createTestToken, type TestToken } from '../../helpers/hsm.ts';
import { runByok, spawnWorker, type WorkerProcess } from '../../helpers/worker-process.ts';
import { startWorkerRotationStack, type WorkerRotationStack } from '../../helpers/worker-rotation-stack.ts';

const LABEL = 'global-w';
const REPLICA_REGION = 'us-west-2';

describe('byok worker: an approved rotation of a multi-Region key', () => {
  let token: TestToken;
  let stack: LocalStack;
  let world: WorkerRotationStack;
  let approvals: LocalApprovals;
  let kms: KMSClient;
  let regional: RegionalKmsClients;
  let sfn: SFNClient;
  let worker: WorkerProcess;
  let primaryArn: string;
  let replicaArn: string;

  const kmsIn = (region: string) => regional.forRegion(region);

  async function materialsIn(region: string, keyArn: string) {
    const rotations = await kmsIn(region).send(
      new ListKeyRotationsCommand({ KeyId: keyArn, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }),
    );
    const metadata = (await kmsIn(region).send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata;
    return {
      state: metadata?.KeyState,
      current: metadata?.CurrentKeyMaterialId,
      materials: (rotations.Rotations ?? [])
        .map((entry) => `${entry.KeyMaterialId}:${entry.ImportState}`)
        .sort(),
    };
  }

  beforeAll(async () => {
    token = await createTestToken('nss', { keys: [{ label: LABEL, type: 'AES_256' }] });
    await token.hsm?.close();
    // Two GetParametersForImport calls in a row never share a wrapping key (as on AWS).
    world = await startWorkerRotationStack();
    ({ stack, approvals } = world);
    kms = createKmsClient({ endpoint: stack.url });
    regional = createRegionalKmsClients({ endpoint: stack.url });
    sfn = createSfnClient({ endpoint: stack.url });
    const created = await kms.send(
      new CreateKeyCommand({
        Origin: 'EXTERNAL',
        MultiRegion: true,
        Tags: [
          { TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE },
          { TagKey: TAG_HSM_KEY_LABEL, TagValue: LABEL },
        ],
      }),
    );
    primaryArn = created.KeyMetadata?.Arn as string;
    await bindOnLocalStack(stack.url, LABEL, primaryArn);
    worker = spawnWorker(
      ['--endpoint', stack.url, '--heartbeat-interval', '1', '--bind', `${LABEL}=${primaryArn}`],
      { BYOK_HOME: token.byokHome },
    );
    await worker.polling;
    // The first material: imported into the primary, then (replicated) into its replica by the import
    // workflow's replica support, both wrapped by the worker.
    const importFirst = () =>
      runByok(['import', '--endpoint', stack.url, '--key-id', primaryArn, '--valid-for', '30d']);
    const first = await importFirst();
    expect(first.code, first.stderr).toBe(0);
    const replicated = await kms.send(
      new ReplicateKeyCommand({ KeyId: primaryArn, ReplicaRegion: REPLICA_REGION }),
    );
    replicaArn = replicated.ReplicaKeyMetadata?.Arn as string;
    const second = await importFirst();
    expect(second.code, second.stderr).toBe(0);
  }, 120_000);

  afterAll(async () => {
    kms?.destroy();
    regional?.destroy();
    sfn?.destroy();
    await worker?.stop();
    await world?.stop();
    await token?.cleanup();
  });

  it('makes and wraps the new material in the worker for both Regions; both end with it CURRENT and IMPORTED', async () => {
    // Prepare
    const firstId = (await materialsIn(stack.region, primaryArn)).current as string;
    expect(await materialsIn(REPLICA_REGION, replicaArn)).toEqual({
      state: 'Enabled',
      current: firstId,
      materials: [`${firstId}:IMPORTED`],
    });
    const tasksBefore = worker.tasks().length;

    // Act: one identity asks, another approves.
    const rotation = await runApprovedRotation({
      approvalsUrl: approvals.url,
      region: stack.region,
      sfn,
      keyId: primaryArn,
      requester: 'requester-1',
      approvers: ['approver-1'],
      pollMs: 100,
      maxPolls: 600,
    });

    // Assess
    expect(rotation.status, `${rotation.error}: ${rotation.cause}`).toBe('SUCCEEDED');
    const output = rotation.output as { newKeyMaterialId: string; replicaArns: string[] };
    const newId = output.newKeyMaterialId;
    expect(newId).not.toBe(firstId);
    expect(output.replicaArns).toEqual([replicaArn]);
    for (const [region, arn] of [
      [stack.region, primaryArn],
      [REPLICA_REGION, replicaArn],
    ] as const) {
      expect(await materialsIn(region, arn), region).toEqual({
        state: 'Enabled',
        current: newId,
        materials: [`${firstId}:IMPORTED`, `${newId}:IMPORTED`].sort(),
      });
    }
    const rotatedLabel = `${LABEL}-r2-${rotation.requestId.slice(0, 8)}`;
    const lines = (await worker.waitForTasks(tasksBefore + 3)).slice(tasksBefore);
    expect(lines.map(({ keyId, hsmKeyLabel, outcome }) => ({ keyId, hsmKeyLabel, outcome }))).toEqual([
      { keyId: primaryArn, hsmKeyLabel: rotatedLabel, outcome: 'succeeded' },
      { keyId: primaryArn, hsmKeyLabel: rotatedLabel, outcome: 'succeeded' },
      { keyId: replicaArn, hsmKeyLabel: rotatedLabel, outcome: 'succeeded' },
    ]);
    const encrypted = await kms.send(
      new EncryptCommand({ KeyId: primaryArn, Plaintext: Buffer.from('encrypted after the rotation') }),
    );
    const decrypted = await kmsIn(REPLICA_REGION).send(
      new DecryptCommand({ KeyId: replicaArn, CiphertextBlob: encrypted.CiphertextBlob }),
    );
    expect(decrypted.KeyMaterialId).toBe(newId);
    expect(Buffer.from(decrypted.Plaintext as Uint8Array).toString()).toBe('encrypted after the rotation');
  }, 60_000);
});
