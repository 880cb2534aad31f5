// GetParametersForImport, ImportKeyMaterial and DeleteImportedKeyMaterial, following AWS's
// documented rules and its answers recorded in test/integration/local-kms/operations.test.ts.
import { AwsServiceError } from '../protocol.ts';
import type { KmsCore, KmsInput, KmsOperation } from './core.ts';
import {
  optionalEnum,
  optionalString,
  optionalTimestamp,
  requiredBlob,
  requiredEnum,
  requiredString,
  validationError,
} from './input.ts';
import { checkMaterial, keyMaterialId, unwrapKeyMaterial } from './material.ts';
import {
  currentMaterial,
  type ExpirationModel,
  type KeyRecord,
  type MaterialRecord,
  pendingMaterial,
  requireState,
} from './registry.ts';
import {
  keyFamily,
  type RsaWrappingKeySpec,
  WRAPPING_ALGORITHMS,
  WRAPPING_KEY_SPECS,
  wrappingAllowed,
} from './spec.ts';

const TOKEN_LIFETIME_MS = 24 * 3_600_000;
const MAX_VALIDITY_MS = 365 * 86_400_000;
const EXPIRATION_MODELS = ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'] as const;
const IMPORT_TYPES = ['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'] as const;

function originNotValid(key: KeyRecord): AwsServiceError {
  return new AwsServiceError(
    'UnsupportedOperationException',
    `${key.arn} origin is ${key.origin} which is not valid for this operation.`,
  );
}

function isReplica(key: KeyRecord): boolean {
  return key.multiRegion && key.region !== key.primaryRegion;
}

export const getParametersForImport: KmsOperation = async (core, input, context) => {
  const keyIdInput = requiredString(input, 'KeyId');
  const wrappingAlgorithm = requiredEnum(input, 'WrappingAlgorithm', WRAPPING_ALGORITHMS);
  const wrappingKeySpec = requiredEnum(input, 'WrappingKeySpec', WRAPPING_KEY_SPECS);
  const key = core.registry.resolve(context.region, keyIdInput, { allowAlias: false });
  if (key.origin !== 'EXTERNAL') throw originNotValid(key);
  requireState(key, 'not-pending-deletion');
  if (!wrappingAllowed(wrappingAlgorithm, wrappingKeySpec, key.keySpec)) {
    throw validationError(
      `Wrapping algorithm ${wrappingAlgorithm} and wrapping key spec ${wrappingKeySpec} cannot be used to import a ${key.keySpec} key.`,
    );
  }
  const rsaSpec = wrappingKeySpec as RsaWrappingKeySpec;
  const pair = await core.pool.take(rsaSpec);
  const validTo = new Date(core.clock.now().getTime() + TOKEN_LIFETIME_MS);
  const token = core.sealer.seal(
    { keyArn: key.arn, wrappingAlgorithm, wrappingKeySpec: rsaSpec, validTo },
    pair,
  );
  return {
    KeyId: key.arn,
    ImportToken: token.toString('base64'),
    PublicKey: pair.publicKeyDer.toString('base64'),
    ParametersValidTo: validTo.getTime() / 1000,
  };
};

interface ImportRequest {
  expirationModel: ExpirationModel;
  validTo: Date | undefined;
  importType: 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL' | undefined;
  keyMaterialId: string | undefined;
  description: string | undefined;
}

function readImportParameters(core: KmsCore, input: KmsInput, key: KeyRecord): ImportRequest {
  const expirationModel = optionalEnum(input, 'ExpirationModel', EXPIRATION_MODELS) ?? 'KEY_MATERIAL_EXPIRES';
  const requestedValidTo = optionalTimestamp(input, 'ValidTo');
  const importType = optionalEnum(input, 'ImportType', IMPORT_TYPES);
  const keyMaterialIdInput = optionalString(input, 'KeyMaterialId');
  const description = optionalString(input, 'KeyMaterialDescription', 256);
  if (keyMaterialIdInput !== undefined && !/^[a-f0-9]{64}$/.test(keyMaterialIdInput)) {
    throw validationError(
      `1 validation error detected: Value '${keyMaterialIdInput}' at 'keyMaterialId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-f0-9]+$ and have length 64`,
    );
  }
  if (description !== undefined && description.length > 0 && !/^[a-zA-Z0-9:/_\s.-]+$/.test(description)) {
    throw validationError(
      `1 validation error detected: Value '${description}' at 'keyMaterialDescription' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_\\s.-]+$`,
    );
  }
  if (keyFamily(key.keySpec) !== 'SYMMETRIC') {
    const refuse = (member: string) =>
      validationError(`Input parameter ${member} cannot be used with ${key.keySpec} imported keys.`);
    if (importType !== undefined) throw refuse('importType');
    if (keyMaterialIdInput !== undefined) throw refuse('keyMaterialId');
    if (description !== undefined) throw refuse('keyMaterialDescription');
  }
  if (importType === 'NEW_KEY_MATERIAL' && keyMaterialIdInput !== undefined) {
    throw validationError('Input parameter keyMaterialId cannot be used with NEW_KEY_MATERIAL importType.');
  }
  if (isReplica(key)) {
    if (description !== undefined) {
      throw validationError('Key material description can only be specified on primary Multi-Region keys');
    }
    if (importType === 'NEW_KEY_MATERIAL') {
      throw validationError(
        'Input parameter ImportType NEW_KEY_MATERIAL cannot be used on replica Multi-Region keys',
      );
    }
  }
  if (expirationModel === 'KEY_MATERIAL_EXPIRES' && !requestedValidTo) {
    throw validationError('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
  }
  if (expirationModel === 'KEY_MATERIAL_DOES_NOT_EXPIRE' && requestedValidTo) {
    throw validationError(
      'A validTo date cannot be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE',
    );
  }
  // AWS keeps ValidTo to whole seconds.
  const validTo = requestedValidTo
    ? new Date(Math.floor(requestedValidTo.getTime() / 1000) * 1000)
    : undefined;
  const now = core.clock.now().getTime();
  if (validTo && validTo.getTime() <= now) throw validationError('ValidTo must be in the future');
  if (validTo && validTo.getTime() > now + MAX_VALIDITY_MS) {
    throw validationError('ValidTo must be less than 365 days in the future');
  }
  return { expirationModel, validTo, importType, keyMaterialId: keyMaterialIdInput, description };
}

function incorrectMaterial(expectedId: string): AwsServiceError {
  return new AwsServiceError(
    'IncorrectKeyMaterialException',
    `Imported key material does not have the expected identifier (${expectedId}).`,
  );
}

/** Finds (or creates) the material record this import fills, enforcing AWS's identity rules. */
function targetMaterial(core: KmsCore, key: KeyRecord, id: string, request: ImportRequest): MaterialRecord {
  const existing = key.materials.find((material) => material.id === id);
  if (keyFamily(key.keySpec) !== 'SYMMETRIC') {
    const only = key.materials[0];
    if (only && only.id !== id) throw incorrectMaterial(only.id);
    if (only) return only;
    const created: MaterialRecord = { id, state: 'CURRENT' };
    key.materials.push(created);
    return created;
  }
  const importType =
    request.importType ?? (key.materials.length === 0 ? 'NEW_KEY_MATERIAL' : 'EXISTING_KEY_MATERIAL');
  if (importType === 'EXISTING_KEY_MATERIAL') {
    if (request.keyMaterialId !== undefined) {
      if (request.keyMaterialId !== id) throw incorrectMaterial(request.keyMaterialId);
      if (!existing) throw neverImported(key, request.keyMaterialId);
      return existing;
    }
    const expected = currentMaterial(key) ?? key.materials[0];
    if (!expected) {
      throw validationError(
        `Input parameter importType EXISTING_KEY_MATERIAL cannot be used before key material was imported into KMS key ${key.arn}.`,
      );
    }
    if (!existing) throw incorrectMaterial(expected.id);
    return existing;
  }
  if (existing) {
    throw new AwsServiceError(
      'IncorrectKeyMaterialException',
      `Key material (id: ${id}) being imported as NEW_KEY_MATERIAL is already associated with KMS key ${key.arn}.`,
    );
  }
  if (key.materials.length === 0) {
    const first: MaterialRecord = { id, state: 'CURRENT' };
    key.materials.push(first);
    return first;
  }
  const pending = pendingMaterial(key);
  if (pending) {
    throw new AwsServiceError(
      'KMSInvalidStateException',
      `New key material (id: ${id}) cannot be imported into KMS key ${key.arn}, because another key material (id: ${pending.id}) is pending rotation.`,
    );
  }
  const created: MaterialRecord = { id, state: 'PENDING_ROTATION' };
  key.materials.push(created);
  // Replicas of a multi-Region key must receive the same material before the primary can rotate.
  for (const replica of core.registry.related(key)) {
    if (replica !== key) replica.materials.push({ id, state: 'PENDING_ROTATION' });
  }
  return created;
}

function neverImported(key: KeyRecord, id: string): AwsServiceError {
  return validationError(`Key material (id: ${id}) has never been imported into KMS key ${key.arn}.`);
}

export const importKeyMaterial: KmsOperation = (core, input, context) => {
  const keyIdInput = requiredString(input, 'KeyId');
  const token = requiredBlob(input, 'ImportToken', 6144);
  const encryptedKeyMaterial = requiredBlob(input, 'EncryptedKeyMaterial', 6144);
  const key = core.registry.resolve(context.region, keyIdInput, { allowAlias: false });
  if (key.origin !== 'EXTERNAL') throw originNotValid(key);
  requireState(key, 'not-pending-deletion');
  const request = readImportParameters(core, input, key);

  const contents = core.sealer.open(token);
  if (contents.keyArn !== key.arn) throw new AwsServiceError('InvalidImportTokenException');
  if (core.clock.now().getTime() > contents.validTo.getTime())
    throw new AwsServiceError('ExpiredImportTokenException');

  const unwrapped = unwrapKeyMaterial(encryptedKeyMaterial, contents.wrappingAlgorithm, contents.privateKey);
  let checked: ReturnType<typeof checkMaterial>;
  try {
    checked = checkMaterial(key.keySpec, unwrapped);
  } catch (error) {
    unwrapped.fill(0);
    throw error;
  }
  const id = keyMaterialId(core.idSecret, key.keyId, checked.identity);
  const material = targetMaterial(core, key, id, request);
  material.secret = checked.secret;
  material.publicKey = checked.publicKey;
  material.expirationModel = request.expirationModel;
  material.validTo = request.validTo;
  if (request.description !== undefined) material.description = request.description;
  key.disabled = false;
  return keyFamily(key.keySpec) === 'SYMMETRIC' ? { KeyId: key.arn, KeyMaterialId: id } : { KeyId: key.arn };
};

/** Drops the secret of a material (deleted or expired); the record and its id stay. */
export function forgetMaterial(material: MaterialRecord): void {
  material.secret?.fill(0);
  material.secret = undefined;
  material.expirationModel = undefined;
  material.validTo = undefined;
}

export const deleteImportedKeyMaterial: KmsOperation = (core, input, context) => {
  const keyIdInput = requiredString(input, 'KeyId');
  const requestedId = optionalString(input, 'KeyMaterialId');
  const key = core.registry.resolve(context.region, keyIdInput, { allowAlias: false });
  if (key.origin !== 'EXTERNAL') throw originNotValid(key);
  // Allowed on a key pending deletion too; its state stays PendingDeletion.
  const symmetric = keyFamily(key.keySpec) === 'SYMMETRIC';
  if (!symmetric && requestedId !== undefined) {
    throw validationError(`Input parameter keyMaterialId cannot be used with ${key.keySpec} imported keys.`);
  }
  const target =
    requestedId !== undefined
      ? key.materials.find((material) => material.id === requestedId)
      : (currentMaterial(key) ?? key.materials[0]);
  if (requestedId !== undefined && !target) throw neverImported(key, requestedId);
  if (!target) return { KeyId: key.arn };
  if (target.state === 'PENDING_ROTATION' && !isReplica(key)) {
    // Pending material is removed outright (on every Region), which also cancels a running rotation.
    for (const record of core.registry.related(key)) {
      const index = record.materials.findIndex((material) => material.id === target.id);
      const removed = index >= 0 ? record.materials.splice(index, 1)[0] : undefined;
      if (removed) forgetMaterial(removed);
      record.rotation = undefined;
    }
  } else {
    forgetMaterial(target);
  }
  return symmetric ? { KeyId: key.arn, KeyMaterialId: target.id } : { KeyId: key.arn };
};
