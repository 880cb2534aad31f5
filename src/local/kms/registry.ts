// The emulator's state: keys per Region (a multi-Region key has one record per Region under the
// same mrk- id), their key materials, and aliases. Also how AWS resolves a KeyId argument and which
// key states an operation refuses, with AWS's recorded messages.
import { AwsServiceError } from '../protocol.ts';
import type { Tag } from './input.ts';
import { type KeySpec, type KeyUsage, keyAlgorithmsFor, keyFamily, type Origin } from './spec.ts';

export type ExpirationModel = 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
export type MaterialState = 'CURRENT' | 'NON_CURRENT' | 'PENDING_ROTATION';
export type KeyState = 'Enabled' | 'Disabled' | 'PendingImport' | 'PendingDeletion';

export interface MaterialRecord {
  id: string;
  /** Undefined while not imported (never, deleted or expired). */
  secret?: Buffer | undefined;
  publicKey?: Buffer | undefined;
  state: MaterialState;
  expirationModel?: ExpirationModel | undefined;
  validTo?: Date | undefined;
  description?: string | undefined;
  rotationDate?: Date | undefined;
  rotationType?: 'ON_DEMAND' | 'AUTOMATIC' | undefined;
}

export interface KeyRecord {
  keyId: string;
  arn: string;
  region: string;
  accountId: string;
  creationDate: Date;
  description: string;
  keySpec: KeySpec;
  keyUsage: KeyUsage;
  origin: Origin;
  /** Set by DisableKey (and CancelKeyDeletion); cleared by EnableKey and by importing material. */
  disabled: boolean;
  multiRegion: boolean;
  /** For multi-Region keys: the Region of the primary. */
  primaryRegion?: string | undefined;
  deletion?: { date: Date; windowDays: number } | undefined;
  tags: Tag[];
  materials: MaterialRecord[];
  rotation?: { startedAt: Date; dueAt: Date } | undefined;
  onDemandRotations: number;
}

export interface AliasRecord {
  aliasName: string;
  region: string;
  targetKeyId: string;
  creationDate: Date;
  lastUpdatedDate: Date;
}

export const KEY_ID_PATTERN =
  /^(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const KEY_ARN_PATTERN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;
const ALIAS_ARN_PATTERN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

export function keyArn(region: string, accountId: string, keyId: string): string {
  return `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
}

export function aliasArn(region: string, accountId: string, aliasName: string): string {
  return `arn:aws:kms:${region}:${accountId}:${aliasName}`;
}

export function keyState(key: KeyRecord): KeyState {
  if (key.deletion) return 'PendingDeletion';
  const associated = key.materials.filter((material) => material.state !== 'PENDING_ROTATION');
  if (associated.length === 0 || associated.some((material) => !material.secret)) return 'PendingImport';
  return key.disabled ? 'Disabled' : 'Enabled';
}

export function currentMaterial(key: KeyRecord): MaterialRecord | undefined {
  return key.materials.find((material) => material.state === 'CURRENT');
}

export function pendingMaterial(key: KeyRecord): MaterialRecord | undefined {
  return key.materials.find((material) => material.state === 'PENDING_ROTATION');
}

function notFound(arn: string): AwsServiceError {
  return new AwsServiceError('NotFoundException', `Key '${arn}' does not exist`);
}

function invalidKeyId(value: string): AwsServiceError {
  return new AwsServiceError('NotFoundException', `Invalid keyId '${value}'`);
}

export function pendingImport(key: KeyRecord): AwsServiceError {
  return new AwsServiceError('KMSInvalidStateException', `${key.arn} is pending import.`);
}

function pendingDeletion(key: KeyRecord): AwsServiceError {
  return new AwsServiceError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
}

function disabledError(key: KeyRecord): AwsServiceError {
  return new AwsServiceError('DisabledException', `${key.arn} is disabled.`);
}

function wrongUsage(key: KeyRecord, operation: string): AwsServiceError {
  return new AwsServiceError(
    'InvalidKeyUsageException',
    `${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`,
  );
}

export type StateRequirement = 'usable' | 'any' | 'not-pending-deletion';

export class KeyRegistry {
  readonly keys = new Map<string, KeyRecord>();
  readonly aliases = new Map<string, AliasRecord>();

  constructor(readonly accountId: string) {}

  add(key: KeyRecord): void {
    this.keys.set(`${key.region}/${key.keyId}`, key);
  }

  remove(key: KeyRecord): void {
    this.keys.delete(`${key.region}/${key.keyId}`);
    for (const [name, alias] of this.aliases) {
      if (alias.region === key.region && alias.targetKeyId === key.keyId) this.aliases.delete(name);
    }
  }

  get(region: string, keyId: string): KeyRecord | undefined {
    return this.keys.get(`${region}/${keyId}`);
  }

  /** Every Region's record of a multi-Region key (primary first). */
  related(key: KeyRecord): KeyRecord[] {
    if (!key.multiRegion) return [key];
    const all = [...this.keys.values()].filter((other) => other.keyId === key.keyId);
    return all.sort((a, b) => Number(b.region === b.primaryRegion) - Number(a.region === a.primaryRegion));
  }

  inRegion(region: string): KeyRecord[] {
    return [...this.keys.values()].filter((key) => key.region === region);
  }

  alias(region: string, aliasName: string): AliasRecord | undefined {
    return this.aliases.get(`${region}/${aliasName}`);
  }

  setAlias(alias: AliasRecord): void {
    this.aliases.set(`${alias.region}/${alias.aliasName}`, alias);
  }

  deleteAlias(region: string, aliasName: string): void {
    this.aliases.delete(`${region}/${aliasName}`);
  }

  /**
   * Resolves a KeyId argument as AWS does: key id or key ARN always, alias name or alias ARN only
   * where the operation accepts aliases (elsewhere AWS treats the value as an invalid key id).
   */
  resolve(region: string, value: string, options: { allowAlias: boolean }): KeyRecord {
    const arnMatch = KEY_ARN_PATTERN.exec(value);
    if (arnMatch) {
      const [, arnRegion = '', account, keyId = ''] = arnMatch;
      const key = account === this.accountId ? this.get(arnRegion, keyId) : undefined;
      if (!key) throw notFound(value);
      return key;
    }
    const aliasMatch = ALIAS_ARN_PATTERN.exec(value);
    if (value.startsWith('alias/') || aliasMatch) {
      if (!options.allowAlias) throw invalidKeyId(value);
      const aliasRegion = aliasMatch?.[1] ?? region;
      const aliasName = aliasMatch?.[3] ?? value;
      const alias =
        aliasMatch?.[2] === undefined || aliasMatch[2] === this.accountId
          ? this.alias(aliasRegion, aliasName)
          : undefined;
      if (!alias) {
        throw new AwsServiceError(
          'NotFoundException',
          `Alias ${aliasArn(aliasRegion, this.accountId, aliasName)} is not found.`,
        );
      }
      const key = this.get(aliasRegion, alias.targetKeyId);
      if (!key) throw notFound(keyArn(aliasRegion, this.accountId, alias.targetKeyId));
      return key;
    }
    if (!KEY_ID_PATTERN.test(value)) throw invalidKeyId(value);
    const key = this.get(region, value);
    if (!key) throw notFound(keyArn(region, this.accountId, value));
    return key;
  }
}

/** Refuses a key in a state the operation cannot use, with AWS's messages. */
export function requireState(key: KeyRecord, requirement: StateRequirement): void {
  const state = keyState(key);
  if (requirement === 'any') return;
  if (state === 'PendingDeletion') throw pendingDeletion(key);
  if (requirement === 'not-pending-deletion') return;
  if (state === 'PendingImport') throw pendingImport(key);
  if (state === 'Disabled') throw disabledError(key);
}

export function requireUsage(key: KeyRecord, usage: KeyUsage, operation: string): void {
  if (key.keyUsage !== usage) throw wrongUsage(key, operation);
}

export function describeKey(registry: KeyRegistry, key: KeyRecord): Record<string, unknown> {
  const state = keyState(key);
  const metadata: Record<string, unknown> = {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.creationDate.getTime() / 1000,
    Enabled: state === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: state,
    Origin: key.origin,
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    ...keyAlgorithmsFor(key.keySpec, key.keyUsage),
    MultiRegion: key.multiRegion,
  };
  if (keyFamily(key.keySpec) === 'SYMMETRIC') {
    const current = currentMaterial(key);
    if (current) metadata.CurrentKeyMaterialId = current.id;
  }
  if (key.origin === 'EXTERNAL') {
    const associated = key.materials.filter((material) => material.state !== 'PENDING_ROTATION');
    if (associated.length > 0 && associated.every((material) => material.secret)) {
      const expiring = associated.filter((material) => material.expirationModel === 'KEY_MATERIAL_EXPIRES');
      metadata.ExpirationModel =
        expiring.length > 0 ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE';
      const earliest = Math.min(
        ...expiring.map((material) => material.validTo?.getTime() ?? Number.POSITIVE_INFINITY),
      );
      if (Number.isFinite(earliest)) metadata.ValidTo = earliest / 1000;
    }
  }
  if (key.deletion) {
    metadata.DeletionDate = key.deletion.date.getTime() / 1000;
    metadata.PendingDeletionWindowInDays = key.deletion.windowDays;
  }
  if (key.multiRegion) {
    const related = registry.related(key);
    const primary = related.find((other) => other.region === other.primaryRegion);
    metadata.MultiRegionConfiguration = {
      MultiRegionKeyType: key.region === key.primaryRegion ? 'PRIMARY' : 'REPLICA',
      PrimaryKey: {
        Arn: primary?.arn ?? keyArn(key.primaryRegion ?? key.region, key.accountId, key.keyId),
        Region: key.primaryRegion,
      },
      ReplicaKeys: related
        .filter((other) => other.region !== other.primaryRegion)
        .map((other) => ({ Arn: other.arn, Region: other.region })),
    };
  }
  return metadata;
}
