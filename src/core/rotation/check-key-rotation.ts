// One look at a running rotation (the ASL's Wait state sits between looks): done when KMS reports no
// rotation in progress and CurrentKeyMaterialId is the new id; RotationIncompleteError when the
// bounded number of looks is used up.
import { DescribeKeyCommand, GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import { MAX_ROTATION_CHECKS, type RotationPlan } from './contracts.ts';
import type { RotationKmsDeps } from './deps.ts';
import { RotationIncompleteError } from './errors.ts';

interface Imported {
  keyMaterialId: string;
  importedAt: string;
}

export async function checkKeyRotation(
  input: { rotation: RotationPlan; newMaterial: Imported; attempt: number },
  deps: RotationKmsDeps,
): Promise<{ completed: boolean; attempt: number }> {
  const attempt = input.attempt + 1;
  const status = await deps.kms.send(new GetKeyRotationStatusCommand({ KeyId: input.rotation.keyArn }));
  const metadata = (await deps.kms.send(new DescribeKeyCommand({ KeyId: input.rotation.keyArn })))
    .KeyMetadata;
  const completed =
    !status.OnDemandRotationStartDate && metadata?.CurrentKeyMaterialId === input.newMaterial.keyMaterialId;
  if (!completed && attempt >= MAX_ROTATION_CHECKS) {
    throw new RotationIncompleteError(input.rotation.keyArn, attempt);
  }
  return { completed, attempt };
}
