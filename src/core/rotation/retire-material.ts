// RetireRotationMaterial's core: destroys the HSM key made for a rotation that was abandoned before
// KMS made its material permanent, so no unused copy of material stays behind, and only once KMS
// proves that no material of the key, in any of its Regions, came from it (proveHsmKeyNeverImported,
// ./material-absence.ts): a task naming the HSM key that holds live material (forged, or after an
// ambiguous import or rotation) destroys nothing. Kept apart from ./hsm-material.ts so that
// CreateRotationMaterial's function reaches no KMS command (its role has none).
import type { AbandonedRotation } from './contracts.ts';
import { RotationMaterialUnprovenError } from './errors.ts';
import { HsmAdministrationUnavailableError, type RotationHsmDeps } from './hsm-material.ts';
import { type MaterialAbsenceDeps, proveHsmKeyNeverImported } from './material-absence.ts';

/** RetireRotationMaterial's ports: the HSM, and KMS (every Region of the key) for the proof. */
export type RetireRotationMaterialDeps = RotationHsmDeps & MaterialAbsenceDeps;

export async function retireRotationMaterial(
  abandoned: AbandonedRotation,
  deps: RetireRotationMaterialDeps,
): Promise<{ hsmKeyLabel: string | null; destroyed: number }> {
  if (!abandoned.hsmKeyLabel) return { hsmKeyLabel: null, destroyed: 0 };
  if (!deps.hsm.destroyKey) throw new HsmAdministrationUnavailableError('destroy keys');
  if (!abandoned.keyId) {
    throw new RotationMaterialUnprovenError(abandoned.hsmKeyLabel, '(none)', 'the task names no KMS key');
  }
  const proof = await proveHsmKeyNeverImported(abandoned.keyId, abandoned.hsmKeyLabel, deps);
  deps.logger?.info('KMS shows no material from the HSM key in any Region', {
    requestId: abandoned.requestId,
    hsmKeyLabel: abandoned.hsmKeyLabel,
    regions: proof.regions,
  });
  const destroyed = await deps.hsm.destroyKey(abandoned.hsmKeyLabel);
  deps.logger?.info('unused rotation material destroyed in the HSM', {
    requestId: abandoned.requestId,
    hsmKeyLabel: abandoned.hsmKeyLabel,
    destroyed,
  });
  return { hsmKeyLabel: abandoned.hsmKeyLabel, destroyed };
}
