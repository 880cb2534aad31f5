// runApprovedRotation (for `byok simulate --rotate-every`): one identity asks, two others approve
// through the real API, the workflow re-checks and rotates; a second run rotates again.
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runApprovedRotation } from '../../../src/onprem/simulation/rotation.ts';
import { arnOf, type RotationWorld, startRotationWorld } from '../../helpers/rotation-world.ts';

let world: RotationWorld;

beforeAll(async () => {
  world = await startRotationWorld();
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('runApprovedRotation', () => {
  it('rotates a key with M=2 twice, approvals granted by two simulated identities', async () => {
    // Prepare
    const keyId = await world.newImportedKey({ hsmKeyLabel: 'simulated', approvalsRequired: 2 });
    const options = { approvalsUrl: world.approvals.url, region: world.stack.region, sfn: world.sfn, keyId };

    // Act
    const first = await runApprovedRotation(options);
    const second = await runApprovedRotation(options);

    // Assess
    expect([first.status, second.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect((first.output as { approvers: string[] }).approvers).toEqual([
      arnOf('byok-sim-approver-1'),
      arnOf('byok-sim-approver-2'),
    ]);
    const current = (await world.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata
      ?.CurrentKeyMaterialId;
    expect(current).toBe((second.output as { newKeyMaterialId: string }).newKeyMaterialId);
    expect((second.output as { oldKeyMaterialId: string }).oldKeyMaterialId).toBe(
      (first.output as { newKeyMaterialId: string }).newKeyMaterialId,
    );
  }, 120_000);
});
