// Key lifecycle and metadata: CreateKey, DescribeKey, ListKeys, Enable/DisableKey, key deletion,
// tags, aliases, ReplicateKey and GetKeyRotationStatus.
import { createPublicKey, generateKeyPair, type KeyObject, randomBytes, randomUUID } from 'node:crypto';
import { AwsServiceError } from '../protocol.ts';
import type { KmsCore, KmsOperation } from './core.ts';
import {
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalString,
  optionalStringList,
  optionalTags,
  requiredString,
  type Tag,
  validationError,
} from './input.ts';
import { keyMaterialId } from './material.ts';
import {
  aliasArn,
  describeKey,
  type KeyRecord,
  keyArn,
  keyState,
  type MaterialRecord,
  pendingImport,
  requireState,
} from './registry.ts';
import {
  allowedUsages,
  ECC_RULES,
  HMAC_RULES,
  KEY_SPECS,
  KEY_USAGES,
  type KeySpec,
  keyFamily,
  ORIGINS,
  rsaBits,
} from './spec.ts';

function generateAsymmetric(spec: KeySpec): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, _publicKey: KeyObject, privateKey: KeyObject) =>
      error ? reject(error) : resolve(privateKey);
    if (keyFamily(spec) === 'RSA') generateKeyPair('rsa', { modulusLength: rsaBits(spec) }, done);
    else generateKeyPair('ec', { namedCurve: ECC_RULES[spec]?.curve ?? '' }, done);
  });
}

/** KMS-generated material for an AWS_KMS key. */
export async function generateMaterial(core: KmsCore, keyId: string, spec: KeySpec): Promise<MaterialRecord> {
  const family = keyFamily(spec);
  if (family === 'SYMMETRIC' || family === 'HMAC') {
    const secret = randomBytes(family === 'SYMMETRIC' ? 32 : (HMAC_RULES[spec]?.minBytes ?? 32));
    return { id: keyMaterialId(core.idSecret, keyId, secret), secret, state: 'CURRENT' };
  }
  const privateKey = await generateAsymmetric(spec);
  const publicKey = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return {
    id: keyMaterialId(core.idSecret, keyId, publicKey),
    secret: privateKey.export({ format: 'der', type: 'pkcs8' }),
    publicKey,
    state: 'CURRENT',
  };
}

export const createKey: KmsOperation = async (core, input, context) => {
  const description = optionalString(input, 'Description', 8192) ?? '';
  const keySpec =
    optionalEnum(input, 'KeySpec', KEY_SPECS) ??
    optionalEnum(input, 'CustomerMasterKeySpec', KEY_SPECS) ??
    'SYMMETRIC_DEFAULT';
  const requestedUsage = optionalEnum(input, 'KeyUsage', KEY_USAGES);
  const origin = optionalEnum(input, 'Origin', ORIGINS) ?? 'AWS_KMS';
  const multiRegion = optionalBoolean(input, 'MultiRegion') ?? false;
  const tags = optionalTags(input, 'Tags') ?? [];
  if (origin !== 'AWS_KMS' && origin !== 'EXTERNAL') {
    throw new AwsServiceError(
      'UnsupportedOperationException',
      `Origin ${origin} is not supported by this endpoint.`,
    );
  }
  if (requestedUsage === undefined && keySpec !== 'SYMMETRIC_DEFAULT') {
    throw validationError(
      'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    );
  }
  const keyUsage = requestedUsage ?? 'ENCRYPT_DECRYPT';
  if (!allowedUsages(keySpec).includes(keyUsage)) {
    throw validationError(`KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
  }
  const keyId = multiRegion ? `mrk-${randomUUID().replaceAll('-', '')}` : randomUUID();
  const key: KeyRecord = {
    keyId,
    arn: keyArn(context.region, context.accountId, keyId),
    region: context.region,
    accountId: context.accountId,
    creationDate: core.clock.now(),
    description,
    keySpec,
    keyUsage,
    origin,
    disabled: false,
    multiRegion,
    primaryRegion: multiRegion ? context.region : undefined,
    tags: mergeTags([], tags),
    materials: origin === 'AWS_KMS' ? [await generateMaterial(core, keyId, keySpec)] : [],
    onDemandRotations: 0,
  };
  core.registry.add(key);
  return { KeyMetadata: describeKey(core.registry, key) };
};

export const describeKeyOperation: KmsOperation = (core, input, context) => {
  const key = core.registry.resolve(context.region, requiredString(input, 'KeyId'), { allowAlias: true });
  return { KeyMetadata: describeKey(core.registry, key) };
};

function page<T>(
  items: T[],
  input: Record<string, unknown>,
): { items: T[]; NextMarker?: string; Truncated: boolean } {
  const limit = optionalInteger(input, 'Limit', 1, 1000) ?? 100;
  const marker = optionalString(input, 'Marker');
  const start = marker === undefined ? 0 : Number.parseInt(marker, 10);
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw new AwsServiceError('InvalidMarkerException', 'The marker is not valid.');
  }
  const slice = items.slice(start, start + limit);
  const next = start + slice.length;
  return next < items.length
    ? { items: slice, NextMarker: String(next), Truncated: true }
    : { items: slice, Truncated: false };
}

export const listKeys: KmsOperation = (core, input, context) => {
  const { items, ...rest } = page(core.registry.inRegion(context.region), input);
  return { Keys: items.map((key) => ({ KeyId: key.keyId, KeyArn: key.arn })), ...rest };
};

function resolveForManagement(core: KmsCore, input: Record<string, unknown>, region: string): KeyRecord {
  return core.registry.resolve(region, requiredString(input, 'KeyId'), { allowAlias: false });
}

export const enableKey: KmsOperation = (core, input, context) => {
  const key = resolveForManagement(core, input, context.region);
  const state = keyState(key);
  requireState(key, 'not-pending-deletion');
  if (state === 'PendingImport') throw pendingImport(key);
  key.disabled = false;
  return {};
};

export const disableKey: KmsOperation = (core, input, context) => {
  const key = resolveForManagement(core, input, context.region);
  const state = keyState(key);
  requireState(key, 'not-pending-deletion');
  if (state === 'PendingImport') throw pendingImport(key);
  key.disabled = true;
  return {};
};

export const scheduleKeyDeletion: KmsOperation = (core, input, context) => {
  const key = resolveForManagement(core, input, context.region);
  const windowDays = optionalInteger(input, 'PendingWindowInDays', 7, 30) ?? 30;
  requireState(key, 'not-pending-deletion');
  const date = new Date(core.clock.now().getTime() + windowDays * 86_400_000);
  key.deletion = { date, windowDays };
  return {
    KeyId: key.arn,
    DeletionDate: date.getTime() / 1000,
    KeyState: 'PendingDeletion',
    PendingWindowInDays: windowDays,
  };
};

export const cancelKeyDeletion: KmsOperation = (core, input, context) => {
  const key = resolveForManagement(core, input, context.region);
  if (!key.deletion)
    throw new AwsServiceError('KMSInvalidStateException', `${key.arn} is not pending deletion.`);
  key.deletion = undefined;
  // AWS leaves a key Disabled after a cancelled deletion (PendingImport when it has no material).
  key.disabled = true;
  return { KeyId: key.arn };
};

/** Deletes keys whose waiting period has passed (called by the clock). */
export function deleteDueKeys(core: KmsCore, now: Date): KeyRecord[] {
  const deleted: KeyRecord[] = [];
  for (const key of [...core.registry.keys.values()]) {
    if (key.deletion && key.deletion.date.getTime() <= now.getTime()) {
      for (const material of key.materials) material.secret?.fill(0);
      core.registry.remove(key);
      deleted.push(key);
    }
  }
  return deleted;
}

function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const merged = new Map(existing.map((tag) => [tag.TagKey, tag.TagValue]));
  for (const tag of added) merged.set(tag.TagKey, tag.TagValue);
  if (merged.size > 50)
    throw new AwsServiceError('LimitExceededException', 'A KMS key can have at most 50 tags.');
  return [...merged].map(([TagKey, TagValue]) => ({ TagKey, TagValue }));
}

export const tagResource: KmsOperation = (core, input, context) => {
  const key = resolveForManagement(core, input, context.region);
  const tags = optionalTags(input, 'Tags');
  if (!tags)
    throw validationError(
      "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null",
    );
  requireState(key, 'not-pending-deletion');
  key.tags = mergeTags(key.tags, tags);
  return {};
};

export const untagResource: KmsOperation = (core, input, context) => {
  const key = resolveForManagement(core, input, context.region);
  const tagKeys = optionalStringList(input, 'TagKeys');
  if (!tagKeys) {
    throw validationError(
      "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null",
    );
  }
  requireState(key, 'not-pending-deletion');
  key.tags = key.tags.filter((tag) => !tagKeys.includes(tag.TagKey));
  return {};
};

export const listResourceTags: KmsOperation = (core, input, context) => {
  const key = resolveForManagement(core, input, context.region);
  const { items, ...rest } = page(key.tags, input);
  return { Tags: items, ...rest };
};

const ALIAS_NAME_PATTERN = /^alias\/[a-zA-Z0-9/_-]+$/;

function aliasName(input: Record<string, unknown>): string {
  const name = requiredString(input, 'AliasName');
  if (!ALIAS_NAME_PATTERN.test(name) || name.length > 256) {
    throw validationError(
      `1 validation error detected: Value '${name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$`,
    );
  }
  if (name.startsWith('alias/aws/')) {
    throw new AwsServiceError(
      'NotAuthorizedException',
      'Cannot create alias with prefix alias/aws/ (reserved for AWS).',
    );
  }
  return name;
}

function aliasTarget(core: KmsCore, input: Record<string, unknown>, region: string): KeyRecord {
  const key = core.registry.resolve(region, requiredString(input, 'TargetKeyId'), { allowAlias: false });
  requireState(key, 'not-pending-deletion');
  return key;
}

export const createAlias: KmsOperation = (core, input, context) => {
  const name = aliasName(input);
  const key = aliasTarget(core, input, context.region);
  if (core.registry.alias(context.region, name)) {
    throw new AwsServiceError(
      'AlreadyExistsException',
      `An alias with the name ${aliasArn(context.region, context.accountId, name)} already exists`,
    );
  }
  const now = core.clock.now();
  core.registry.setAlias({
    aliasName: name,
    region: context.region,
    targetKeyId: key.keyId,
    creationDate: now,
    lastUpdatedDate: now,
  });
  return {};
};

function existingAlias(core: KmsCore, region: string, accountId: string, name: string) {
  const alias = core.registry.alias(region, name);
  if (!alias)
    throw new AwsServiceError(
      'NotFoundException',
      `Alias ${aliasArn(region, accountId, name)} is not found.`,
    );
  return alias;
}

export const updateAlias: KmsOperation = (core, input, context) => {
  const name = requiredString(input, 'AliasName');
  const alias = existingAlias(core, context.region, context.accountId, name);
  const key = aliasTarget(core, input, context.region);
  const current = core.registry.get(context.region, alias.targetKeyId);
  if (current && (current.keySpec !== key.keySpec || current.keyUsage !== key.keyUsage)) {
    throw validationError(
      `${key.arn} key usage or key spec does not match the key the alias ${name} currently points to.`,
    );
  }
  core.registry.setAlias({ ...alias, targetKeyId: key.keyId, lastUpdatedDate: core.clock.now() });
  return {};
};

export const deleteAlias: KmsOperation = (core, input, context) => {
  const name = requiredString(input, 'AliasName');
  existingAlias(core, context.region, context.accountId, name);
  core.registry.deleteAlias(context.region, name);
  return {};
};

export const listAliases: KmsOperation = (core, input, context) => {
  const keyIdInput = optionalString(input, 'KeyId');
  const target = keyIdInput
    ? core.registry.resolve(context.region, keyIdInput, { allowAlias: false })
    : undefined;
  const aliases = [...core.registry.aliases.values()]
    .filter((alias) => alias.region === context.region && (!target || alias.targetKeyId === target.keyId))
    .sort((a, b) => a.aliasName.localeCompare(b.aliasName));
  const { items, ...rest } = page(aliases, input);
  return {
    Aliases: items.map((alias) => ({
      AliasName: alias.aliasName,
      AliasArn: aliasArn(alias.region, context.accountId, alias.aliasName),
      TargetKeyId: alias.targetKeyId,
      CreationDate: alias.creationDate.getTime() / 1000,
      LastUpdatedDate: alias.lastUpdatedDate.getTime() / 1000,
    })),
    ...rest,
  };
};

export const replicateKey: KmsOperation = (core, input, context) => {
  const primary = resolveForManagement(core, input, context.region);
  const replicaRegion = requiredString(input, 'ReplicaRegion');
  // The API model's pattern for a Region name: a key stored under any other string is not a Region.
  if (replicaRegion.length > 32 || !/^([a-z]+-){2,3}\d+$/.test(replicaRegion)) {
    throw validationError(
      `1 validation error detected: Value '${replicaRegion}' at 'replicaRegion' failed to satisfy constraint: Member must satisfy regular expression pattern: ^([a-z]+-){2,3}\\d+$`,
    );
  }
  const description = optionalString(input, 'Description', 8192);
  const tags = optionalTags(input, 'Tags') ?? [];
  if (!primary.multiRegion) {
    throw new AwsServiceError('UnsupportedOperationException', `${primary.arn} is not a multi-Region key.`);
  }
  if (primary.region !== primary.primaryRegion) {
    throw new AwsServiceError(
      'UnsupportedOperationException',
      `${primary.arn} is not a primary multi-Region key.`,
    );
  }
  const state = keyState(primary);
  if (state === 'PendingImport') throw pendingImport(primary);
  requireState(primary, 'not-pending-deletion');
  if (replicaRegion === primary.region || core.registry.get(replicaRegion, primary.keyId)) {
    throw new AwsServiceError(
      'AlreadyExistsException',
      `Replica key ${keyArn(replicaRegion, primary.accountId, primary.keyId)} already exists.`,
    );
  }
  const external = primary.origin === 'EXTERNAL';
  const replica: KeyRecord = {
    ...primary,
    arn: keyArn(replicaRegion, primary.accountId, primary.keyId),
    region: replicaRegion,
    creationDate: core.clock.now(),
    description: description ?? primary.description,
    disabled: false,
    deletion: undefined,
    tags: mergeTags([], tags),
    rotation: undefined,
    // Imported material never leaves its Region: an EXTERNAL replica waits for the same material.
    materials: primary.materials.map((material) => ({
      ...material,
      secret: external ? undefined : material.secret,
      expirationModel: external ? undefined : material.expirationModel,
      validTo: external ? undefined : material.validTo,
      description: undefined,
    })),
  };
  core.registry.add(replica);
  return {
    ReplicaKeyMetadata: describeKey(core.registry, replica),
    ReplicaPolicy: '{}',
    ReplicaTags: replica.tags,
  };
};

export const getKeyRotationStatus: KmsOperation = (core, input, context) => {
  const key = resolveForManagement(core, input, context.region);
  requireState(key, 'not-pending-deletion');
  if (keyFamily(key.keySpec) !== 'SYMMETRIC')
    throw new AwsServiceError('UnsupportedOperationException', undefined);
  return {
    KeyRotationEnabled: false,
    KeyId: key.arn,
    ...(key.rotation ? { OnDemandRotationStartDate: key.rotation.startedAt.getTime() / 1000 } : {}),
  };
};

/** Enable/DisableKeyRotation: refused for imported keys as AWS does; automatic rotation is not emulated. */
export const refuseAutomaticRotation: KmsOperation = (core, input, context) => {
  const key = resolveForManagement(core, input, context.region);
  requireState(key, 'not-pending-deletion');
  if (key.origin === 'EXTERNAL') {
    throw new AwsServiceError(
      'UnsupportedOperationException',
      `${key.arn} origin is EXTERNAL which is not valid for this operation.`,
    );
  }
  throw new AwsServiceError(
    'UnsupportedOperationException',
    'Automatic key rotation is not implemented by the byok local endpoint; use RotateKeyOnDemand.',
  );
};
