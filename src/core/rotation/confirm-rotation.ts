// After RotateKeyOnDemand failed as the workflow saw it. The failure may be ambiguous: the call
// timed out, or its answer was lost, after KMS had already taken it. Abandoning then would delete
// nothing (the material is no longer pending) and retire the HSM key that now holds the key's
// CURRENT material, which KMS loses at ValidTo. So KMS is asked what happened: when the new
// material is current, being rotated in, or already permanently associated, the rotation went
// ahead and the workflow follows it to the end; only when the material is still pending (or gone)
// is the rotation abandoned. Any failure to read KMS here stops the workflow without undoing
// anything (the Catch goes to the failure event, never to the abandon path).
import { DescribeKeyCommand, GetKeyRotationStatusCommand } from '@aws-sdk/client-kms';
import { listKeyRotations } from '../aws/paginate-kms.ts';
import type { RotationPlan } from './contracts.ts';
import type { RotationKmsDeps } from './deps.ts';

const ASSOCIATED_STATES = new Set(['CURRENT', 'NON_CURRENT']);

export interface RotationConfirmation {
  /** True when KMS took the rotation: the workflow checks and verifies it instead of abandoning. */
  started: boolean;
  currentKeyMaterialId: string | null;
  /** What KMS showed, in words (for the execution history). */
  detail: string;
}

export async function confirmRotationStarted(
  input: { rotation: RotationPlan; newMaterial: { keyMaterialId: string } },
  deps: RotationKmsDeps,
): Promise<RotationConfirmation> {
  const { rotation, newMaterial } = input;
  const keyArn = rotation.keyArn;
  const metadata = (await deps.kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata;
  const current = metadata?.CurrentKeyMaterialId ?? null;
  const answer = (started: boolean, detail: string): RotationConfirmation => {
    deps.logger?.info('ambiguous RotateKeyOnDemand resolved', {
      requestId: rotation.requestId,
      keyArn,
      started,
      detail,
    });
    return { started, currentKeyMaterialId: current, detail };
  };
  if (current === newMaterial.keyMaterialId) return answer(true, 'the new material is CURRENT');
  const status = await deps.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyArn }));
  if (status.OnDemandRotationStartDate) return answer(true, 'an on-demand rotation is in progress');
  const entry = (await listKeyRotations(deps.kms, keyArn)).find(
    (candidate) => candidate.KeyMaterialId === newMaterial.keyMaterialId,
  );
  if (entry && ASSOCIATED_STATES.has(entry.KeyMaterialState ?? '')) {
    return answer(true, `the new material is ${entry.KeyMaterialState}`);
  }
  return answer(
    false,
    entry ? `the new material is still ${entry.KeyMaterialState}` : 'KMS lists no such material',
  );
}
