// The new material lives only in the HSM: CreateRotationMaterial generates a new AES key in the
// token under the label the plan derived, with a CKA_ID bound to the request, and returns its key
// check value as public evidence. A key already under that label is reused (a retried step) only
// when the token proves this request generated it (material-provenance.ts); a key planted there is
// refused by name (RotationMaterialNotProvenError). RetireRotationMaterial (./retire-material.ts)
// destroys that key when the rotation is abandoned before KMS made it permanent.
import { HsmKeyNotFoundError } from '../hsm/errors.ts';
import type { HsmAdmin } from '../hsm/port.ts';
import type { StepLogger } from '../step-kernel/logger.ts';
import type { NewMaterial, RotationPlan } from './contracts.ts';
import { RotationError } from './errors.ts';
import { assertMadeForRequest, rotationHsmKeyId } from './material-provenance.ts';

/**
 * Retires the HSM keys abandoned requests left, except the running request's (./orphans.ts:
 * retireAbandonedRotationKeys). A function in the deps, not an import, so the Lambda bundle of this
 * step reaches no KMS call: only the local runner gives it.
 */
export type RetireAbandonedKeys = (
  hsm: Pick<HsmAdmin, 'listKeys' | 'destroyKey'>,
  options: { except: string; logger?: StepLogger | undefined },
) => Promise<unknown>;

/** Retires what abandoned requests left (best effort: a failure is logged, the rotation goes on). */
async function retireAbandonedKeys(rotation: RotationPlan, deps: RotationHsmDeps): Promise<void> {
  const { retireAbandonedKeys: retire, hsm } = deps;
  if (!retire || !hsm.listKeys || !hsm.destroyKey) return;
  try {
    await retire(
      { listKeys: hsm.listKeys.bind(hsm), destroyKey: hsm.destroyKey.bind(hsm) },
      { except: rotation.requestId, logger: deps.logger },
    );
  } catch (error) {
    deps.logger?.warn('orphan rotation keys could not be retired now', {
      errorName: error instanceof Error ? error.name : 'Error',
    });
  }
}

export interface RotationHsmDeps {
  hsm: Pick<HsmAdmin, 'describeKey' | 'evidence'> &
    Partial<Pick<HsmAdmin, 'createKey' | 'destroyKey' | 'listKeys'>>;
  logger?: StepLogger | undefined;
  /**
   * Given, the run first retires the HSM keys that abandoned requests left (./orphans.ts, with the
   * facts about other requests and KMS for the proof). Given by the local runner only; a Lambda's
   * role reaches no KMS from this step.
   */
  retireAbandonedKeys?: RetireAbandonedKeys | undefined;
}

export class HsmAdministrationUnavailableError extends RotationError {
  constructor(operation: string) {
    super(`this HSM handle cannot ${operation} (no key administration on this placement)`);
    this.name = 'HsmAdministrationUnavailableError';
  }
}

export async function createRotationMaterial(
  rotation: RotationPlan,
  deps: RotationHsmDeps,
): Promise<NewMaterial> {
  await retireAbandonedKeys(rotation, deps);
  const label = rotation.newHsmKeyLabel;
  let exists = true;
  try {
    assertMadeForRequest(await deps.hsm.describeKey(label), rotation.requestId);
  } catch (error) {
    if (!(error instanceof HsmKeyNotFoundError)) throw error;
    exists = false;
  }
  if (!exists) {
    if (!deps.hsm.createKey) throw new HsmAdministrationUnavailableError('generate keys');
    await deps.hsm.createKey({ label, type: 'AES_256', id: rotationHsmKeyId(rotation.requestId) });
  }
  const evidence = await deps.hsm.evidence(label);
  if (evidence.kind !== 'aes-kcv')
    throw new RotationError(`HSM key "${label}" gave ${evidence.kind} evidence`);
  deps.logger?.info('rotation material created in the HSM', {
    requestId: rotation.requestId,
    hsmKeyLabel: label,
    checkValue: evidence.kcv,
    reused: exists,
  });
  return { hsmKeyLabel: label, hsmKeyType: 'AES_256', checkValue: evidence.kcv };
}
