// The shapes that travel through the reimport sweep (statemachines/reimport-expiring-keys.asl.json):
// the execution input, FindExpiringKeys' output (one item per due key, each with its pacing slot),
// the Map's per-item results and the report. Only ids, dates and counts: never key material.
import { z } from 'zod';
import { DAY_MS } from '../import/validity-limits.ts';
import { DEFAULT_LEAD_WINDOW_DAYS, MAX_LEAD_WINDOW_DAYS, MIN_LEAD_WINDOW_DAYS } from './lead-window.ts';

/** The execution input. Every field has a default, so the schedule may start it with `{}`. */
/**
 * One account and Region of a fleet (reimport-fleet's pair): the sweep looks only there, through the
 * hub's access to that account (its spoke role). Absent: the sweep's own account, every Region of
 * its keys, as before fleets.
 */
const SweepTargetSchema = z.strictObject({
  accountId: z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'not an AWS Region name'),
});

export const SweepInputSchema = z.strictObject({
  target: SweepTargetSchema.optional().describe('The account and Region to sweep (reimport-fleet sets it)'),
  leadWindowDays: z
    .number()
    .min(MIN_LEAD_WINDOW_DAYS)
    .max(MAX_LEAD_WINDOW_DAYS)
    .default(DEFAULT_LEAD_WINDOW_DAYS)
    .describe('Reimport a key when its ValidTo is at most this many days away'),
  getParametersForImportPerSecond: z
    .number()
    .positive()
    .max(1000)
    .default(1)
    .describe("The account's GetParametersForImport quota (AWS default: 1 per second)"),
  quotaShare: z
    .number()
    .gt(0)
    .max(1)
    .default(0.8)
    .describe(
      'Fraction of the quota the sweep plans to use. At 1 request per second there is no burst to absorb start-up jitter, so the default leaves 20%; with a raised quota (which has burst) 0.95 is safe',
    ),
  // Each due material costs at most about 650 bytes in the Map's input and 650 in its result (a
  // 512-character cause), and both travel into SummarizeSweep: 200 stay under Step Functions'
  // 256 KiB payload limit (checked by a unit test).
  maxKeys: z
    .number()
    .int()
    .min(1)
    .max(200)
    .default(200)
    .describe(
      'Most materials (a key in one Region, one material of it) one sweep reimports; the rest are deferred to the next sweep, most urgent first',
    ),
});
export type SweepInput = z.infer<typeof SweepInputSchema>;

export const DueReasonSchema = z.enum(['pending-import', 'expiring']);
export type DueReason = z.infer<typeof DueReasonSchema>;

/**
 * One material the sweep reimports (a key's material in one Region; src/core/sweep/key-materials.ts),
 * with the instant its import may start (the pacing slot of its Region).
 */
export const DueKeySchema = z.object({
  keyId: z.string().min(1),
  region: z.string().min(1),
  reason: DueReasonSchema,
  validTo: z.iso.datetime({ offset: true }).optional(),
  /** An RFC 3339 instant with no fractional seconds surprises: the Wait state's TimestampPath. */
  notBefore: z.iso.datetime({ offset: true }),
  /** The child execution's name: unique per material and sweep, so a retried item cannot import twice. */
  executionName: z.string().min(1).max(80),
  /**
   * The import workflow's input for this material alone (replicas are items of their own): this
   * Region's key ARN, the HSM key that holds the material, its KeyMaterialId (symmetric keys), why.
   */
  importInput: z.object({
    keyId: z.string(),
    hsmKeyLabel: z.string(),
    keyMaterialId: z.string().optional(),
    importReplicas: z.literal(false),
    reason: z.string().max(256),
  }),
});
export type DueKey = z.infer<typeof DueKeySchema>;

export const SkippedKeySchema = z.object({
  keyId: z.string(),
  why: z.string(),
  /**
   * Set when the key could not be read (the error's name, e.g. ThrottlingException), as opposed to
   * one the sweep leaves alone on purpose (disabled, pending deletion): such a key is not covered
   * and makes the sweep's outcome PARTIAL.
   */
  error: z.string().optional(),
});
export type SkippedKey = z.infer<typeof SkippedKeySchema>;

/** A due material the sweep did not import because no administrator bound its HSM key to the key. */
export const RefusedKeySchema = z.object({
  keyId: z.string(),
  error: z.string(),
  cause: z.string(),
});
export type RefusedKey = z.infer<typeof RefusedKeySchema>;

export const MaterialSeenSchema = z.object({
  keyId: z.string(),
  region: z.string(),
  keyMaterialId: z.string().optional(),
  validTo: z.iso.datetime({ offset: true }).optional(),
});
export type MaterialSeen = z.infer<typeof MaterialSeenSchema>;

/** Materials listed per sweep (about 130 bytes each): the payload stays far below 256 KiB. */
export const MAX_MATERIALS_LISTED = 200;

export const FindExpiringKeysOutputSchema = z.object({
  /** A short, filesystem- and name-safe tag of this sweep (UTC, to the second) for execution names. */
  sweepId: z.string().regex(/^\d{8}T\d{6}Z$/),
  checkedAt: z.iso.datetime({ offset: true }),
  managedKeys: z.number().int().min(0),
  /** Materials of the managed keys, counted once per Region. */
  materials: z.number().int().min(0).optional(),
  keys: z.array(DueKeySchema),
  /** The first MAX_SKIPPED_LISTED keys left alone, with why; skippedCount has them all. */
  skipped: z.array(SkippedKeySchema),
  skippedCount: z.number().int().min(0),
  /**
   * Due materials refused before any import: their HSM key is not bound to the key (the first
   * MAX_SKIPPED_LISTED; refusedCount has them all). The report counts them as failures: an alert.
   */
  refused: z.array(RefusedKeySchema).optional(),
  refusedCount: z.number().int().min(0).optional(),
  /** How many of the skipped keys could not be read (an error, not a decision); default 0. */
  unreadCount: z.number().int().min(0).optional(),
  /** Keys that were due but left for the next sweep because of maxKeys. */
  deferred: z.number().int().min(0),
  /**
   * Every material seen, with its ValidTo when checked (the first MAX_MATERIALS_LISTED): what the
   * fleet report shows per account and Region.
   */
  materialsSeen: z.array(MaterialSeenSchema).optional(),
  /** The account and Region swept, when the input named one. */
  target: SweepTargetSchema.optional(),
});
export type FindExpiringKeysOutput = z.infer<typeof FindExpiringKeysOutputSchema>;

/** What each Map iteration returns: the ASL builds it with Pass states. */
const ItemResultSchema = z.union([
  z.object({
    keyId: z.string(),
    status: z.literal('SUCCEEDED'),
    executionArn: z.string().optional(),
  }),
  z.object({
    keyId: z.string(),
    status: z.literal('FAILED'),
    error: z.string().optional(),
    cause: z.string().optional(),
  }),
]);

export const SummarizeSweepInputSchema = z.object({
  found: FindExpiringKeysOutputSchema,
  results: z.array(ItemResultSchema),
});
export type SummarizeSweepInput = z.infer<typeof SummarizeSweepInputSchema>;

export const SweepReportSchema = z.object({
  sweepId: z.string(),
  checkedAt: z.string(),
  managedKeys: z.number().int(),
  due: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  deferred: z.number().int(),
  skipped: z.array(SkippedKeySchema),
  skippedCount: z.number().int(),
  failures: z.array(z.object({ keyId: z.string(), error: z.string(), cause: z.string() })),
  reimported: z.array(z.string()),
  /**
   * COMPLETE: every managed key was read and every due material imported. PARTIAL: some key could
   * not be read (`unread`) or some import failed (`failed`): the sweep did not cover everything,
   * and the report says so (the alert rule matches it) instead of a plain success.
   */
  outcome: z.enum(['COMPLETE', 'PARTIAL']),
  /** Keys that could not be read (skipped entries with an `error`, all of them counted). */
  unread: z.number().int(),
  /** One line saying why the outcome is PARTIAL (absent when COMPLETE). */
  outcomeReason: z.string().optional(),
  /** With a target (a fleet's pair): every material seen and whether this sweep reimported it. */
  target: SweepTargetSchema.optional(),
  materials: z.array(MaterialSeenSchema.extend({ reimported: z.boolean() })).optional(),
});
export type SweepReport = z.infer<typeof SweepReportSchema>;

/** Payloads stay small however many keys a sweep leaves alone. */
export const MAX_SKIPPED_LISTED = 50;

export { DAY_MS };
