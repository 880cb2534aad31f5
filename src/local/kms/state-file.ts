// The KMS emulator's state as stored in `<state dir>/kms.json`. Key material is sealed with the
// state dir's master key, bound to its key and material id; everything else is plain JSON.
import { z } from 'zod';
import { LocalStateCorruptError } from '../errors.ts';
import type { MasterKey } from '../persistence.ts';
import { type KeyRecord, KeyRegistry } from './registry.ts';
import { KEY_SPECS, KEY_USAGES } from './spec.ts';

const date = z.number().transform((ms) => new Date(ms));

const materialSchema = z.object({
  id: z.string().regex(/^[a-f0-9]{64}$/),
  sealedSecret: z.string().optional(),
  publicKey: z.string().optional(),
  state: z.enum(['CURRENT', 'NON_CURRENT', 'PENDING_ROTATION']),
  expirationModel: z.enum(['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE']).optional(),
  validTo: date.optional(),
  description: z.string().optional(),
  rotationDate: date.optional(),
  rotationType: z.enum(['ON_DEMAND', 'AUTOMATIC']).optional(),
});

const keySchema = z.object({
  keyId: z.string(),
  arn: z.string(),
  region: z.string(),
  accountId: z.string(),
  creationDate: date,
  description: z.string(),
  keySpec: z.enum(KEY_SPECS),
  keyUsage: z.enum(KEY_USAGES),
  origin: z.enum(['AWS_KMS', 'EXTERNAL']),
  disabled: z.boolean(),
  multiRegion: z.boolean(),
  primaryRegion: z.string().optional(),
  deletion: z.object({ date, windowDays: z.number() }).optional(),
  tags: z.array(z.object({ TagKey: z.string(), TagValue: z.string() })),
  materials: z.array(materialSchema),
  rotation: z.object({ startedAt: date, dueAt: date }).optional(),
  onDemandRotations: z.number(),
});

const stateSchema = z.object({
  version: z.literal(1),
  accountId: z.string(),
  keys: z.array(keySchema),
  aliases: z.array(
    z.object({
      aliasName: z.string(),
      region: z.string(),
      targetKeyId: z.string(),
      creationDate: date,
      lastUpdatedDate: date,
    }),
  ),
});

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

export function deserializeKms(value: unknown, masterKey: MasterKey, path: string): KeyRegistry {
  const parsed = stateSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LocalStateCorruptError(path, `unexpected content at ${issue?.path.join('.') || 'top level'}`);
  }
  const registry = new KeyRegistry(parsed.data.accountId);
  for (const stored of parsed.data.keys) {
    const key: KeyRecord = {
      ...stored,
      materials: stored.materials.map(({ sealedSecret, publicKey, ...material }) => {
        let secret: Buffer | undefined;
        if (sealedSecret) {
          try {
            secret = masterKey.open(sealedSecret, secretContext(stored, material.id));
          } catch (error) {
            throw new LocalStateCorruptError(
              path,
              `sealed key material of ${stored.arn} does not open with this state dir's master key`,
              { cause: error },
            );
          }
        }
        return { ...material, secret, publicKey: publicKey ? Buffer.from(publicKey, 'base64') : undefined };
      }),
    };
    registry.add(key);
  }
  for (const alias of parsed.data.aliases) registry.setAlias(alias);
  return registry;
}
