// The KMS emulator's state as stored in `<state dir>/kms.json`. Key material is sealed with the
// state dir's master key, bound to its key and material id; everything else is plain JSON.
import { z } from 'zod';
import { isClockInstant } from '../clock.ts';
import { LocalStateCorruptError } from '../errors.ts';
import { type MasterKey, parseStateFile } from '../persistence.ts';
import { AwsServiceError } from '../protocol.ts';
import { checkMaterial, keyMaterialId } from './material.ts';
import { KEY_ID_PATTERN, type KeyRecord, KeyRegistry, keyArn, type MaterialRecord } from './registry.ts';
import { allowedUsages, KEY_SPECS, KEY_USAGES, keyFamily } from './spec.ts';

// Every instant in the file is epoch milliseconds the virtual clock can stand at (1970..9999):
// an out-of-range value would be an Invalid Date in the clock's timer loop.
const date = z
  .number()
  .refine(
    (ms) => Number.isInteger(ms) && isClockInstant(ms),
    'must be whole epoch milliseconds between 1970 and the end of year 9999',
  )
  .transform((ms) => new Date(ms));

// What a signed request's credential scope can name (regionFromAuthorization), ReplicateKey included.
const REGION = z.string().regex(/^[a-z0-9-]+$/);
const ACCOUNT_ID = z.string().regex(/^\d{12}$/);
const BASE64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

const materialSchema = z
  .object({
    id: z.string().regex(/^[a-f0-9]{64}$/),
    sealedSecret: BASE64.optional(),
    publicKey: BASE64.optional(),
    state: z.enum(['CURRENT', 'NON_CURRENT', 'PENDING_ROTATION']),
    expirationModel: z.enum(['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE']).optional(),
    validTo: date.optional(),
    description: z.string().max(256).optional(),
    rotationDate: date.optional(),
    rotationType: z.enum(['ON_DEMAND', 'AUTOMATIC']).optional(),
  })
  .strict();

const keySchema = z
  .object({
    keyId: z.string().regex(KEY_ID_PATTERN),
    arn: z.string(),
    region: REGION,
    accountId: ACCOUNT_ID,
    creationDate: date,
    description: z.string().max(8192),
    keySpec: z.enum(KEY_SPECS),
    keyUsage: z.enum(KEY_USAGES),
    origin: z.enum(['AWS_KMS', 'EXTERNAL']),
    disabled: z.boolean(),
    multiRegion: z.boolean(),
    primaryRegion: REGION.optional(),
    deletion: z
      .object({ date, windowDays: z.number().int().min(7).max(30) })
      .strict()
      .optional(),
    tags: z.array(z.object({ TagKey: z.string().min(1).max(128), TagValue: z.string().max(256) }).strict()),
    materials: z.array(materialSchema),
    rotation: z.object({ startedAt: date, dueAt: date }).strict().optional(),
    onDemandRotations: z.number().int().nonnegative(),
  })
  .strict();

const stateSchema = z
  .object({
    version: z.literal(1),
    accountId: ACCOUNT_ID,
    keys: z.array(keySchema),
    aliases: z.array(
      z
        .object({
          aliasName: z
            .string()
            .max(256)
            .regex(/^alias\/[a-zA-Z0-9/_-]+$/)
            .refine((name) => !name.startsWith('alias/aws/'), 'alias/aws/ is reserved for AWS'),
          region: REGION,
          targetKeyId: z.string().regex(KEY_ID_PATTERN),
          creationDate: date,
          lastUpdatedDate: date,
        })
        .strict(),
    ),
  })
  .strict();

type StoredState = z.output<typeof stateSchema>;
type StoredKey = StoredState['keys'][number];

function secretContext(key: { region: string; keyId: string }, materialId: string): string {
  return `kms/${key.region}/${key.keyId}/${materialId}`;
}

const ms = (value: Date | undefined) => value?.getTime();

export function serializeKms(registry: KeyRegistry, masterKey: MasterKey): unknown {
  return {
    version: 1,
    accountId: registry.accountId,
    keys: [...registry.keys.values()].map((key) => ({
      ...key,
      creationDate: ms(key.creationDate),
      deletion: key.deletion
        ? { date: ms(key.deletion.date), windowDays: key.deletion.windowDays }
        : undefined,
      rotation: key.rotation
        ? { startedAt: ms(key.rotation.startedAt), dueAt: ms(key.rotation.dueAt) }
        : undefined,
      materials: key.materials.map(({ secret, publicKey, ...material }) => ({
        ...material,
        sealedSecret: secret ? masterKey.seal(secret, secretContext(key, material.id)) : undefined,
        publicKey: publicKey?.toString('base64'),
        validTo: ms(material.validTo),
        rotationDate: ms(material.rotationDate),
      })),
    })),
    aliases: [...registry.aliases.values()].map((alias) => ({
      ...alias,
      creationDate: ms(alias.creationDate),
      lastUpdatedDate: ms(alias.lastUpdatedDate),
    })),
  };
}

/**
 * Loads `kms.json` as a whole: the schema, then what the schema cannot say (unique ids, each key's
 * ARN, account and Region agreeing, material that opens, fits its key spec and has its id, the
 * expiry fields of each material agreeing). Anything else is LocalStateCorruptError naming the
 * file and the field; nothing is repaired or merged.
 */
export function deserializeKms(
  value: unknown,
  masterKey: MasterKey,
  path: string,
  expectedAccountId?: string,
): KeyRegistry {
  const state = parseStateFile(stateSchema, value, path);
  const corrupt = (field: string, reason: string, cause?: unknown) =>
    new LocalStateCorruptError(path, `${field}: ${reason}`, cause === undefined ? undefined : { cause });
  if (expectedAccountId !== undefined && state.accountId !== expectedAccountId) {
    throw corrupt(
      'accountId',
      `the state belongs to account ${state.accountId}, not to this stack's account ${expectedAccountId}`,
    );
  }
  const idSecret = masterKey.derive('kms/key-material-id');
  const registry = new KeyRegistry(state.accountId);
  const byKeyId = new Map<string, StoredKey>();
  state.keys.forEach((stored, index) => {
    const field = `keys.${index}`;
    checkKey(stored, state.accountId, field, corrupt);
    if (registry.get(stored.region, stored.keyId)) {
      throw corrupt(`${field}.keyId`, `key ${stored.keyId} appears more than once in ${stored.region}`);
    }
    const sibling = byKeyId.get(stored.keyId);
    if (sibling) checkReplica(stored, sibling, field, corrupt);
    byKeyId.set(stored.keyId, stored);
    const key: KeyRecord = {
      ...stored,
      materials: stored.materials.map((material, materialIndex) =>
        openMaterial(
          stored,
          material,
          { masterKey, idSecret, path, corrupt },
          `${field}.materials.${materialIndex}`,
        ),
      ),
    };
    registry.add(key);
  });
  state.aliases.forEach((alias, index) => {
    const field = `aliases.${index}`;
    if (registry.alias(alias.region, alias.aliasName)) {
      throw corrupt(`${field}.aliasName`, `${alias.aliasName} appears more than once in ${alias.region}`);
    }
    if (!registry.get(alias.region, alias.targetKeyId)) {
      throw corrupt(`${field}.targetKeyId`, `no key ${alias.targetKeyId} in ${alias.region}`);
    }
    registry.setAlias(alias);
  });
  return registry;
}

type Corrupt = (field: string, reason: string, cause?: unknown) => LocalStateCorruptError;

function checkKey(key: StoredKey, accountId: string, field: string, corrupt: Corrupt): void {
  if (key.accountId !== accountId) {
    throw corrupt(`${field}.accountId`, `${key.accountId} is not the state's account ${accountId}`);
  }
  if (key.arn !== keyArn(key.region, key.accountId, key.keyId)) {
    throw corrupt(
      `${field}.arn`,
      `does not name key ${key.keyId} of account ${key.accountId} in ${key.region}`,
    );
  }
  if (key.multiRegion !== key.keyId.startsWith('mrk-')) {
    throw corrupt(`${field}.multiRegion`, 'multi-Region keys, and only they, have an mrk- key id');
  }
  if (key.multiRegion !== (key.primaryRegion !== undefined)) {
    throw corrupt(`${field}.primaryRegion`, 'multi-Region keys, and only they, name a primary Region');
  }
  if (!allowedUsages(key.keySpec).includes(key.keyUsage)) {
    throw corrupt(`${field}.keyUsage`, `${key.keyUsage} is not a usage of ${key.keySpec} keys`);
  }
  const tagKeys = new Set<string>();
  key.tags.forEach((tag, index) => {
    if (tagKeys.has(tag.TagKey))
      throw corrupt(`${field}.tags.${index}.TagKey`, `${tag.TagKey} appears twice`);
    tagKeys.add(tag.TagKey);
  });
  const ids = new Set<string>();
  key.materials.forEach((material, index) => {
    if (ids.has(material.id)) throw corrupt(`${field}.materials.${index}.id`, 'appears twice in the key');
    ids.add(material.id);
  });
  for (const state of ['CURRENT', 'PENDING_ROTATION'] as const) {
    const count = key.materials.filter((material) => material.state === state).length;
    if (count > 1)
      throw corrupt(`${field}.materials`, `${count} materials are ${state}; a key has at most one`);
  }
  if (keyFamily(key.keySpec) !== 'SYMMETRIC' && key.materials.length > 1) {
    throw corrupt(
      `${field}.materials`,
      `a ${key.keySpec} key has one key material, not ${key.materials.length}`,
    );
  }
  if (key.rotation && key.rotation.dueAt.getTime() < key.rotation.startedAt.getTime()) {
    throw corrupt(`${field}.rotation.dueAt`, 'is before the rotation started');
  }
}

/** Records of one multi-Region key in several Regions describe the same key. */
function checkReplica(key: StoredKey, other: StoredKey, field: string, corrupt: Corrupt): void {
  if (!key.multiRegion) {
    throw corrupt(`${field}.keyId`, `key ${key.keyId} appears in ${other.region} and ${key.region}`);
  }
  for (const property of ['keySpec', 'keyUsage', 'origin', 'primaryRegion'] as const) {
    if (key[property] !== other[property]) {
      throw corrupt(`${field}.${property}`, `differs between the Regions of multi-Region key ${key.keyId}`);
    }
  }
}

interface OpenContext {
  masterKey: MasterKey;
  idSecret: Buffer;
  path: string;
  corrupt: Corrupt;
}

function openMaterial(
  key: StoredKey,
  stored: StoredKey['materials'][number],
  { masterKey, idSecret, path, corrupt }: OpenContext,
  field: string,
): MaterialRecord {
  const { sealedSecret, publicKey, ...material } = stored;
  const family = keyFamily(key.keySpec);
  const asymmetric = family === 'RSA' || family === 'ECC';
  if (key.origin === 'AWS_KMS' && !sealedSecret) {
    throw corrupt(`${field}.sealedSecret`, 'material KMS generated is never missing');
  }
  if (sealedSecret === undefined) {
    // Expired or deleted material keeps its public key (forgetMaterial), never its expiry fields.
    for (const property of ['expirationModel', 'validTo'] as const) {
      if (stored[property] !== undefined)
        throw corrupt(`${field}.${property}`, 'set for material that is not there');
    }
    if (publicKey !== undefined && !asymmetric) {
      throw corrupt(`${field}.publicKey`, `${key.keySpec} material has no public key`);
    }
    return { ...material, publicKey: publicKey === undefined ? undefined : Buffer.from(publicKey, 'base64') };
  }
  if (
    key.origin === 'AWS_KMS' &&
    (material.expirationModel !== undefined || material.validTo !== undefined)
  ) {
    throw corrupt(`${field}.expirationModel`, 'material KMS generated does not expire');
  }
  if (key.origin === 'EXTERNAL' && material.expirationModel === undefined) {
    throw corrupt(`${field}.expirationModel`, 'imported material always has an expiration model');
  }
  if ((material.expirationModel === 'KEY_MATERIAL_EXPIRES') !== (material.validTo !== undefined)) {
    throw corrupt(`${field}.validTo`, `does not agree with the expiration model ${material.expirationModel}`);
  }
  if (asymmetric !== (publicKey !== undefined)) {
    throw corrupt(
      `${field}.publicKey`,
      `${key.keySpec} material ${asymmetric ? 'has' : 'has no'} public key`,
    );
  }
  let secret: Buffer;
  try {
    secret = masterKey.open(sealedSecret, secretContext(key, material.id));
  } catch (error) {
    throw new LocalStateCorruptError(
      path,
      `sealed key material of ${key.arn} does not open with this state dir's master key`,
      { cause: error },
    );
  }
  let checked: ReturnType<typeof checkMaterial>;
  try {
    checked = checkMaterial(key.keySpec, secret);
  } catch (error) {
    secret.fill(0);
    if (!(error instanceof AwsServiceError)) throw error;
    throw corrupt(`${field}.sealedSecret`, `the material is not ${key.keySpec} key material`);
  }
  if (checked.secret !== secret) secret.fill(0);
  const publicKeyBytes = publicKey === undefined ? undefined : Buffer.from(publicKey, 'base64');
  let mismatch: string | undefined;
  if (publicKeyBytes && !checked.publicKey?.equals(publicKeyBytes)) {
    mismatch = `${field}.publicKey`;
  } else if (keyMaterialId(idSecret, key.keyId, checked.identity) !== material.id) {
    mismatch = `${field}.id`;
  }
  if (mismatch) {
    checked.secret.fill(0);
    throw corrupt(
      mismatch,
      mismatch.endsWith('.id') ? 'is not the id of the material' : 'is not the public key of the material',
    );
  }
  return { ...material, secret: checked.secret, publicKey: publicKeyBytes };
}
