// RotateKeyOnDemand on the primary, once the new material is in every Region: past this the
// rotation is KMS's and nothing is undone.
import { RotateKeyOnDemandCommand } from '@aws-sdk/client-kms';
import type { RotationPlan } from './contracts.ts';
import type { RotationKmsDeps } from './deps.ts';

interface Imported {
  keyMaterialId: string;
  importedAt: string;
}

export async function startKeyRotation(
  input: { rotation: RotationPlan; newMaterial: Imported },
  deps: RotationKmsDeps,
): Promise<{ startedAt: string }> {
  await deps.kms.send(new RotateKeyOnDemandCommand({ KeyId: input.rotation.keyArn }));
  deps.logger?.info('on-demand rotation started', {
    requestId: input.rotation.requestId,
    keyArn: input.rotation.keyArn,
    keyMaterialId: input.newMaterial.keyMaterialId,
  });
  return { startedAt: deps.clock.now().toISOString() };
}
