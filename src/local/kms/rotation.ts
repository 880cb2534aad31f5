// On-demand rotation (asynchronous, as in AWS: RotateKeyOnDemand starts it, the clock completes it)
// and ListKeyRotations with AWS's ImportState/KeyMaterialState views.
import { AwsServiceError } from '../protocol.ts';
import type { KmsCore, KmsOperation } from './core.ts';
import { optionalEnum, optionalInteger, optionalString, requiredString, validationError } from './input.ts';
import { generateMaterial } from './key-management.ts';
import {
  currentMaterial,
  type KeyRecord,
  type MaterialRecord,
  pendingMaterial,
  requireState,
} from './registry.ts';
import { keyFamily } from './spec.ts';

const MAX_ON_DEMAND_ROTATIONS = 25;

export const rotateKeyOnDemand: KmsOperation = async (core, input, context) => {
  const key = core.registry.resolve(context.region, requiredString(input, 'KeyId'), { allowAlias: false });
  if (keyFamily(key.keySpec) !== 'SYMMETRIC') throw new AwsServiceError('UnsupportedOperationException');
  if (key.multiRegion && key.region !== key.primaryRegion) {
    throw new AwsServiceError(
      'UnsupportedOperationException',
      `${key.arn} is not a primary multi-Region key.`,
    );
  }
  requireState(key, 'usable');
  if (key.rotation) {
    throw new AwsServiceError(
      'ConflictException',
      `${key.arn} already has an on-demand rotation in progress.`,
    );
  }
  if (key.onDemandRotations >= MAX_ON_DEMAND_ROTATIONS) {
    throw new AwsServiceError(
      'LimitExceededException',
      `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`,
    );
  }
  if (key.origin === 'EXTERNAL') {
    const pending = pendingMaterial(key);
    if (!pending) {
      throw new AwsServiceError(
        'KMSInvalidStateException',
        `No available key material pending rotation for the key: ${key.arn}.`,
      );
    }
    const replicasMissing = core.registry
      .related(key)
      .some(
        (record) =>
          record !== key && !record.materials.find((material) => material.id === pending.id)?.secret,
      );
    if (replicasMissing) {
      throw new AwsServiceError(
        'KMSInvalidStateException',
        'Cannot perform key material rotation: Key material has not been imported for replicas of the Multi-Region key.',
      );
    }
  } else {
    const fresh = await generateMaterial(core, key.keyId, key.keySpec);
    for (const record of core.registry.related(key)) {
      record.materials.push({
        ...fresh,
        secret: fresh.secret ? Buffer.from(fresh.secret) : undefined,
        state: 'PENDING_ROTATION',
      });
    }
  }
  const startedAt = core.clock.now();
  key.rotation = { startedAt, dueAt: new Date(startedAt.getTime() + core.rotationDelayMs) };
  return { KeyId: key.arn };
};

/** Completes rotations whose time has come; returns the keys (primary records) that rotated. */
export function completeDueRotations(
  core: KmsCore,
  now: Date,
): { key: KeyRecord; previousId?: string; currentId: string }[] {
  const rotated: { key: KeyRecord; previousId?: string; currentId: string }[] = [];
  for (const key of [...core.registry.keys.values()]) {
    if (!key.rotation || key.rotation.dueAt.getTime() > now.getTime()) continue;
    key.rotation = undefined;
    const pending = pendingMaterial(key);
    // Deleting the pending material during the rotation cancels it.
    if (!pending) continue;
    const previous = currentMaterial(key);
    for (const record of core.registry.related(key)) {
      for (const material of record.materials) {
        if (material.state === 'CURRENT') material.state = 'NON_CURRENT';
        if (material.id === pending.id) {
          material.state = 'CURRENT';
          material.rotationDate = now;
          material.rotationType = 'ON_DEMAND';
        }
      }
    }
    key.onDemandRotations += 1;
    rotated.push({ key, ...(previous ? { previousId: previous.id } : {}), currentId: pending.id });
  }
  return rotated;
}

function rotationEntry(core: KmsCore, key: KeyRecord, material: MaterialRecord): Record<string, unknown> {
  const entry: Record<string, unknown> = { KeyId: key.arn, KeyMaterialId: material.id };
  const external = key.origin === 'EXTERNAL';
  if (external && material.description) entry.KeyMaterialDescription = material.description;
  if (external) entry.ImportState = material.secret ? 'IMPORTED' : 'PENDING_IMPORT';
  let state: string = material.state;
  if (
    state === 'PENDING_ROTATION' &&
    core.registry
      .related(key)
      .some((record) => !record.materials.find((other) => other.id === material.id)?.secret)
  ) {
    state = 'PENDING_MULTI_REGION_IMPORT_AND_ROTATION';
  }
  entry.KeyMaterialState = state;
  if (external && material.secret && material.expirationModel)
    entry.ExpirationModel = material.expirationModel;
  if (material.validTo && material.secret) entry.ValidTo = material.validTo.getTime() / 1000;
  if (material.rotationDate) {
    entry.RotationDate = material.rotationDate.getTime() / 1000;
    entry.RotationType = material.rotationType ?? 'ON_DEMAND';
  }
  return entry;
}

export const listKeyRotations: KmsOperation = (core, input, context) => {
  const key = core.registry.resolve(context.region, requiredString(input, 'KeyId'), { allowAlias: false });
  const include = optionalEnum(input, 'IncludeKeyMaterial', ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] as const);
  const limit = optionalInteger(input, 'Limit', 1, 1000) ?? 100;
  const marker = optionalString(input, 'Marker');
  const symmetric = keyFamily(key.keySpec) === 'SYMMETRIC';
  if (include !== undefined && !symmetric) {
    throw validationError('Input parameter includeKeyMaterial can only be used with symmetric keys.');
  }
  if (!symmetric) throw new AwsServiceError('UnsupportedOperationException');
  requireState(key, 'not-pending-deletion');
  const materials =
    (include ?? 'ROTATIONS_ONLY') === 'ALL_KEY_MATERIAL'
      ? key.materials
      : key.materials.filter((material) => material.rotationDate !== undefined);
  const start = marker === undefined ? 0 : Number.parseInt(marker, 10);
  if (!Number.isInteger(start) || start < 0 || start > materials.length) {
    throw new AwsServiceError('InvalidMarkerException', 'The marker is not valid.');
  }
  const slice = materials.slice(start, start + limit);
  const next = start + slice.length;
  return {
    Rotations: slice.map((material) => rotationEntry(core, key, material)),
    ...(next < materials.length ? { NextMarker: String(next), Truncated: true } : { Truncated: false }),
  };
};
