// The shapes that travel through the import state machine: the execution input and each Task
// state's input and output. Handlers parse with these at the edge; the deploy build publishes the
// execution input's JSON Schema from ImportExecutionInputSchema. Nothing here may ever hold
// plaintext key material: only ids, the import token, the KMS wrapping public key, the wrapped
// blob and public evidence.
import { z } from 'zod';
import { KEY_FAMILIES } from '../hsm/port.ts';
import {
  MAX_LABEL_LENGTH,
  MAX_REASON_LENGTH,
  type Parsed,
  parseIsoInstant,
  parseLabel,
  parseText,
} from '../shared/parse.ts';
import { MAX_VALID_FOR_DAYS, MIN_VALID_FOR_DAYS, WRAPPING_KEY_SPECS } from './validity-limits.ts';

/** A KMS key id (`1234abcd-…` or a multi-Region `mrk-…`), not an alias. */
const KEY_ID_PATTERN =
  /^(mrk-[0-9a-f]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;
/** A KMS key ARN, in any partition. */
const KEY_ARN_PATTERN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

export const KeyIdSchema = z
  .string()
  .min(1)
  .max(2048)
  .refine((value) => KEY_ID_PATTERN.test(value) || KEY_ARN_PATTERN.test(value), {
    message: 'must be a KMS key id or key ARN',
  });

/**
 * Checks a string field with the parser the CLI uses for the same value (src/core/shared/parse.ts), so
 * the execution input and the command line refuse the same things with the same words.
 */
function sameAsCli(parse: (text: string) => Parsed<unknown>) {
  return (value: string, ctx: z.RefinementCtx): void => {
    const parsed = parse(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
  };
}

export function isAlias(keyId: string): boolean {
  return keyId.startsWith('alias/') || /^arn:aws[a-z-]*:kms:[^:]*:[^:]*:alias\//.test(keyId);
}

/** A KMS KeyMaterialId: 64 lowercase hex characters. */
const KeyMaterialIdSchema = z
  .string()
  .regex(/^[a-f0-9]{64}$/, { message: 'must be 64 lowercase hex characters' });

export const WrappingAlgorithmSchema = z.enum([
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'RSA_AES_KEY_WRAP_SHA_1',
  'RSA_AES_KEY_WRAP_SHA_256',
]);
const WrappingKeySpecSchema = z.enum(WRAPPING_KEY_SPECS);
const ExpirationModelSchema = z.enum(['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE']);

/**
 * What a caller (the CLI, a schedule, the sweep) passes to start one import. Only `keyId` is
 * required: the HSM key label, the validity and the wrapping algorithm default to the key's byok
 * tags. At most one of validForDays, validTo and noExpiry.
 */
export const ImportExecutionInputSchema = z
  .strictObject({
    keyId: KeyIdSchema.describe('KMS key id or key ARN (aliases are refused)'),
    hsmKeyLabel: z
      .string()
      .min(1)
      .max(MAX_LABEL_LENGTH)
      .superRefine(sameAsCli(parseLabel))
      .optional()
      .describe('Label of the HSM key holding the material (default: tag byok:hsm-key-label)'),
    validForDays: z
      .number()
      .int()
      .min(MIN_VALID_FOR_DAYS)
      .max(MAX_VALID_FOR_DAYS)
      .optional()
      .describe('Days the imported material stays valid (default: tag byok:valid-for-days)'),
    validTo: z.iso
      .datetime({ offset: true })
      .superRefine(sameAsCli(parseIsoInstant))
      .optional()
      .describe(`Absolute expiry, at most ${MAX_VALID_FOR_DAYS} days ahead`),
    noExpiry: z.boolean().optional().describe('Import material that does not expire'),
    wrappingAlgorithm: WrappingAlgorithmSchema.optional().describe(
      'Wrapping algorithm (default: tag byok:wrapping-algorithm, else the strongest allowed)',
    ),
    wrappingKeySpec: WrappingKeySpecSchema.optional().describe('RSA wrapping key spec (default: RSA_4096)'),
    reason: z
      .string()
      .min(1)
      .max(MAX_REASON_LENGTH)
      .superRefine(sameAsCli((text) => parseText(text, MAX_REASON_LENGTH)))
      .optional()
      .describe('Why this import runs (recorded in logs and events)'),
    keyMaterialId: KeyMaterialIdSchema.nullish().describe(
      "Which of the key's materials to reimport (symmetric keys; default: the one recorded as held by the HSM key). null is the same as absent (the expiry rule passes the event's id, which KMS may omit)",
    ),
    importReplicas: z
      .boolean()
      .optional()
      .describe(
        "For a multi-Region primary: also import into every replica Region (default true; the sweep schedules each Region's material itself)",
      ),
  })
  .superRefine((input, ctx) => {
    const chosen = [
      input.validForDays !== undefined,
      input.validTo !== undefined,
      input.noExpiry === true,
    ].filter(Boolean).length;
    if (chosen > 1) {
      ctx.addIssue({ code: 'custom', message: 'validForDays, validTo and noExpiry are mutually exclusive' });
    }
  });
export type ImportExecutionInput = z.infer<typeof ImportExecutionInputSchema>;

const Base64Schema = z.base64().min(1);
const IsoDateTimeSchema = z.iso.datetime({ offset: true });

/** Key families (KEY_FAMILIES in src/core/hsm/port.ts): each has its own verification. */
const KeyFamilySchema = z.enum(KEY_FAMILIES);

// ---- GetParametersForImport ------------------------------------------------------------------

export const GetParametersForImportInputSchema = z.object({
  request: z.unknown(),
  importTokenAttempt: z.number().int().min(1),
  executionId: z.string().optional(),
  /**
   * New material for an on-demand rotation of a symmetric key. Set only by the rotation workflow's
   * definition, beside the request: the import workflow passes its execution input as `request`,
   * whose schema has no such field, so no StartExecution can ask for new material.
   */
  importType: z.literal('NEW_KEY_MATERIAL').optional(),
});
export type GetParametersForImportInput = z.infer<typeof GetParametersForImportInputSchema>;

/** Everything later states need, decided once: the validated request plus KMS's import parameters. */
export const ImportParametersSchema = z.object({
  keyId: z.string().min(1).describe('the key ARN'),
  keySpec: z.string().min(1),
  keyUsage: z.string().min(1),
  family: KeyFamilySchema,
  hsmKeyLabel: z.string().min(1),
  /** The HSM key type that holds material for this key spec (checked against the token in step 2). */
  hsmKeyType: z.string().min(1),
  wrappingAlgorithm: WrappingAlgorithmSchema,
  wrappingKeySpec: WrappingKeySpecSchema,
  expirationModel: ExpirationModelSchema,
  validTo: IsoDateTimeSchema.optional(),
  importToken: Base64Schema,
  wrappingPublicKey: Base64Schema.describe('SubjectPublicKeyInfo DER of the KMS wrapping key'),
  parametersValidTo: IsoDateTimeSchema,
  importTokenAttempt: z.number().int().min(1),
  reason: z.string().optional(),
  /** The key's Region (from its ARN): every call about this key goes there. */
  region: z.string().optional(),
  /** Symmetric keys: NEW_KEY_MATERIAL for the first import, else EXISTING_KEY_MATERIAL with its id. */
  importType: z.enum(['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL']).optional(),
  keyMaterialId: KeyMaterialIdSchema.optional(),
  /** Records which HSM key holds the material (src/core/import/key-material-description.ts); primary keys only. */
  keyMaterialDescription: z.string().max(256).optional(),
  /** Set when the key is a multi-Region replica: its primary's ARN. */
  primaryKeyArn: z.string().optional(),
  /** A multi-Region primary: the imports the workflow runs next, one per replica Region. */
  replicas: z.array(z.object({ keyArn: z.string(), region: z.string(), request: z.unknown() })).optional(),
});
export type ImportParameters = z.infer<typeof ImportParametersSchema>;

// ---- WrapKeyMaterial -------------------------------------------------------------------------

export const WrapKeyMaterialInputSchema = z.object({
  importParameters: ImportParametersSchema,
  executionId: z.string().optional(),
});
export type WrapKeyMaterialInput = z.infer<typeof WrapKeyMaterialInputSchema>;

/**
 * What the HSM shows about its key without revealing it, taken when wrapping so that verification
 * needs no HSM access: the public key (asymmetric), the MAC of a random challenge (HMAC) or the key
 * check value (AES).
 */
export const HsmEvidenceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('aes-kcv'), kcv: z.string() }),
  z.object({
    kind: z.literal('hmac'),
    macAlgorithm: z.enum(['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512']),
    challenge: Base64Schema,
    mac: Base64Schema,
  }),
  z.object({ kind: z.literal('public-key'), spki: Base64Schema }),
]);
export type HsmEvidence = z.infer<typeof HsmEvidenceSchema>;

export const WrapKeyMaterialOutputSchema = z.object({
  wrappedKeyMaterial: Base64Schema.describe('key material wrapped inside the HSM under the KMS public key'),
  hsmEvidence: HsmEvidenceSchema,
  /**
   * The import token of the wrapping key the blob was wrapped under: step 1's, or, from
   * `byok worker`, the one it got from KMS itself with its own GetParametersForImport.
   */
  importToken: Base64Schema,
});
export type WrapKeyMaterialOutput = z.infer<typeof WrapKeyMaterialOutputSchema>;

// ---- ImportKeyMaterial -----------------------------------------------------------------------

export const ImportKeyMaterialInputSchema = z.object({
  importParameters: ImportParametersSchema,
  wrappedKeyMaterial: Base64Schema,
  /** The token that goes with the wrapped blob (WrapKeyMaterial's); default: step 1's. */
  importToken: Base64Schema.optional(),
  /** WrapKeyMaterial's public evidence: an AES key's check value is recorded with the material. */
  hsmEvidence: HsmEvidenceSchema.optional(),
  executionId: z.string().optional(),
});
export type ImportKeyMaterialInput = z.infer<typeof ImportKeyMaterialInputSchema>;

export const ImportKeyMaterialOutputSchema = z.object({
  keyMaterialId: z.string().optional(),
  importedAt: IsoDateTimeSchema,
});
export type ImportKeyMaterialOutput = z.infer<typeof ImportKeyMaterialOutputSchema>;

// ---- VerifyImport ----------------------------------------------------------------------------

export const VerifyImportInputSchema = z.object({
  importParameters: ImportParametersSchema,
  hsmEvidence: HsmEvidenceSchema,
  imported: ImportKeyMaterialOutputSchema,
  executionId: z.string().optional(),
});
export type VerifyImportInput = z.infer<typeof VerifyImportInputSchema>;

/** One check the verification made; every field is public. */
export const VerificationCheckSchema = z.object({
  name: z.string(),
  passed: z.boolean(),
  detail: z.string(),
});
export type VerificationCheck = z.infer<typeof VerificationCheckSchema>;

/** Public proof that KMS holds the HSM's key (what the demo prints and the success event carries). */
export const ImportEvidenceSchema = z.object({
  method: z.enum(['mac-challenge', 'signature', 'public-key-encryption', 'public-key', 'encrypt-decrypt']),
  summary: z.string(),
  checks: z.array(VerificationCheckSchema),
});
export type ImportEvidence = z.infer<typeof ImportEvidenceSchema>;

/** The execution's output and the detail of the success event. */
const ImportResultFields = z.object({
  keyId: z.string(),
  keySpec: z.string(),
  family: KeyFamilySchema,
  hsmKeyLabel: z.string(),
  wrappingAlgorithm: WrappingAlgorithmSchema,
  wrappingKeySpec: WrappingKeySpecSchema,
  expirationModel: ExpirationModelSchema,
  validTo: IsoDateTimeSchema.optional(),
  keyMaterialId: z.string().optional(),
  keyState: z.string(),
  importTokenAttempts: z.number().int().min(1),
  importedAt: IsoDateTimeSchema,
  reason: z.string().optional(),
  region: z.string().optional(),
  evidence: ImportEvidenceSchema,
});
export const ImportResultSchema = ImportResultFields.extend({
  /** A multi-Region primary: the same material imported into each replica Region. */
  replicas: z.array(ImportResultFields).optional(),
});
export type ImportResult = z.infer<typeof ImportResultSchema>;
