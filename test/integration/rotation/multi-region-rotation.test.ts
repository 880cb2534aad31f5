// A multi-Region primary with two replicas (each given the first material with its own import
// token, as the import workflow's replica support will): the rotation imports the new material as
// NEW_KEY_MATERIAL into the primary and as EXISTING_KEY_MATERIAL into both replicas before
// RotateKeyOnDemand, so all three Regions end with both materials IMPORTED and the new one current.
import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  ListKeyRotationsCommand,
  ReplicateKeyCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getParametersForImport } from '../../../src/core/import/get-parameters-for-import.ts';
import { TAG_HSM_KEY_LABEL, TAG_MANAGED, TAG_MANAGED_VALUE } from '../../../src/core/import/tags.ts';
import { wrapKeyMaterial } from '../../../src/core/import/wrap-key-material.ts';
import { importReplicaMaterial } from '../../../src/core/rotation/import-replica-material.ts';
import { replicaImportParameters } from '../../../src/core/rotation/replica-import-parameters.ts';
import { silentLogger } from '../../../src/core/step-kernel/logger.ts';
import { runExecution } from '../../../src/onprem/runner/run-execution.ts';
import { bindOnLocalStack } from '../../helpers/bindings.ts';
import { type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';

let world: RotationWorld;
const REPLICA_REGIONS = ['us-west-2', 'eu-west-1'];

beforeAll(async () => {
  world = await startRotationWorld();
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

async function materialsIn(region: string, keyArn: string) {
  const kms = world.deps.kmsForRegion(region);
  const rotations = (
    await kms.send(new ListKeyRotationsCommand({ KeyId: keyArn, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }))
  ).Rotations;
  const metadata = (await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata;
  return {
    state: metadata?.KeyState,
    current: metadata?.CurrentKeyMaterialId,
    materials: (rotations ?? []).map((entry) => `${entry.KeyMaterialId}:${entry.ImportState}`).sort(),
  };
}

describe('rotating a multi-Region key', () => {
  it('puts the new material into every replica before rotating, and every Region ends with both', async () => {
    // Prepare: the primary, its first material, two replicas given the same material.
    await world.token.hsm?.createKey({ label: 'global', type: 'AES_256' });
    const created = await world.kms.send(
      new CreateKeyCommand({
        Origin: 'EXTERNAL',
        MultiRegion: true,
        Tags: [
          { TagKey: TAG_MANAGED, TagValue: TAG_MANAGED_VALUE },
          { TagKey: TAG_HSM_KEY_LABEL, TagValue: 'global' },
        ],
      }),
    );
    const primaryArn = created.KeyMetadata?.Arn as string;
    await bindOnLocalStack(world.stack.url, 'global', primaryArn);
    const first = await runExecution({
      stateMachine: 'import-key-material',
      input: { keyId: primaryArn },
      deps: world.deps,
    });
    expect(first.status).toBe('SUCCEEDED');
    const firstId = (await materialsIn(world.stack.region, primaryArn)).current as string;
    const parameters = await getParametersForImport(
      { request: { keyId: primaryArn }, importTokenAttempt: 1 },
      { ...world.deps, logger: silentLogger },
    );
    const replicaArns: string[] = [];
    for (const region of REPLICA_REGIONS) {
      const replica = await world.kms.send(
        new ReplicateKeyCommand({ KeyId: primaryArn, ReplicaRegion: region }),
      );
      const replicaArn = replica.ReplicaKeyMetadata?.Arn as string;
      replicaArns.push(replicaArn);
      const replicaParameters = await replicaImportParameters(
        { replicaArn, importParameters: parameters },
        world.deps,
      );
      const wrapped = await wrapKeyMaterial(
        { importParameters: replicaParameters },
        { hsm: world.deps.hsm, logger: silentLogger },
      );
      await importReplicaMaterial(
        {
          importParameters: replicaParameters,
          wrappedKeyMaterial: wrapped.wrappedKeyMaterial,
          keyMaterialId: firstId,
        },
        world.deps,
      );
    }
    const ciphertext = (
      await world.kms.send(
        new EncryptCommand({ KeyId: primaryArn, Plaintext: Buffer.from('made in the primary') }),
      )
    ).CiphertextBlob;

    // Act
    const { request } = await world.as('requester').requestRotation({ keyId: primaryArn, reason: 'global' });
    await world.waitForStatus(request.requestId, 'PENDING');
    await world.as('alice').vote(request.requestId, { decision: 'approve', reason: 'ok' });
    const execution = await world.waitForExecution(request.executionArn as string);

    // Assess
    expect(execution).toMatchObject({ status: 'SUCCEEDED' });
    const newId = JSON.parse(execution.output ?? '{}').newKeyMaterialId as string;
    expect(JSON.parse(execution.output ?? '{}').replicaArns.sort()).toEqual([...replicaArns].sort());
    for (const [region, arn] of [
      [world.stack.region, primaryArn],
      [REPLICA_REGIONS[0], replicaArns[0]],
      [REPLICA_REGIONS[1], replicaArns[1]],
    ] as Array<[string, string]>) {
      expect(await materialsIn(region, arn), region).toEqual({
        state: 'Enabled',
        current: newId,
        materials: [`${firstId}:IMPORTED`, `${newId}:IMPORTED`].sort(),
      });
      const decrypted = await world.deps
        .kmsForRegion(region)
        .send(new DecryptCommand({ KeyId: arn, CiphertextBlob: ciphertext }));
      expect(decrypted.KeyMaterialId, region).toBe(firstId);
    }
  }, 120_000);
});
