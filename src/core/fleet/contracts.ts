// The shapes that travel through reimport-fleet (statemachines/reimport-fleet.asl.json): the
// execution input, the targets document an operator keeps, DiscoverFleetTargets' output (where the
// pairs were written), and the fleet report SummarizeFleet writes. Ids, Regions, dates and counts:
// never key material.
import { z } from 'zod';
import { SweepInputSchema } from '../sweep/contracts.ts';

const AccountIdSchema = z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits');
const RegionSchema = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'not an AWS Region name');

/** The sweep's own settings, applied to every pair (its target is set per pair). */
const FleetSweepSettingsSchema = SweepInputSchema.partial().omit({ target: true });

/** One account in a targets document: its id, or its id with its own Regions and quota. */
const TargetAccountSchema = z.union([
  AccountIdSchema,
  z.strictObject({
    accountId: AccountIdSchema,
    regions: z.array(RegionSchema).min(1).optional(),
    /** This account's GetParametersForImport quota per Region, when raised from AWS's 1/s. */
    getParametersForImportPerSecond: z.number().positive().max(1000).optional(),
  }),
]);

/** The targets document: accounts × Regions (each account may name its own Regions). */
export const TargetsDocumentSchema = z.strictObject({
  regions: z.array(RegionSchema).min(1).optional(),
  accounts: z.array(TargetAccountSchema).min(1),
});
export type TargetsDocument = z.infer<typeof TargetsDocumentSchema>;

/** The execution input; every field has a default from the stack's parameters. */
export const FleetInputSchema = z.strictObject({
  /** Where the pairs come from: the targets document, or Organizations' accounts × `regions`. */
  source: z.enum(['targets', 'organizations']).optional(),
  /** The targets document itself, or where it is in S3 (default: the fleet bucket's `fleet/targets.json`). */
  targets: z
    .union([
      TargetsDocumentSchema,
      z.strictObject({ bucket: z.string().min(3).optional(), key: z.string().min(1) }),
    ])
    .optional(),
  regions: z.array(RegionSchema).min(1).optional(),
  include: z.array(AccountIdSchema).optional(),
  exclude: z.array(AccountIdSchema).optional(),
  /** A previous run's report (its S3 key): only the pairs that failed there run again. */
  retryFailedOf: z.string().min(1).optional(),
  maxConcurrency: z.number().int().min(0).max(10_000).optional(),
  toleratedFailurePercentage: z.number().min(0).max(100).optional(),
  /** Alarm when a material is within this many days of its ValidTo with no successful reimport. */
  alarmDays: z.number().int().min(1).max(365).optional(),
  sweep: FleetSweepSettingsSchema.optional(),
});
export type FleetInput = z.infer<typeof FleetInputSchema>;

/**
 * The input fields that change which pairs a run covers, how it sweeps them or when it alarms;
 * maxConcurrency only paces it. The schedule's input is `{}`.
 */
export const FLEET_SCOPE_FIELDS = [
  'source',
  'targets',
  'regions',
  'include',
  'exclude',
  'retryFailedOf',
  'toleratedFailurePercentage',
  'alarmDays',
  'sweep',
] as const satisfies readonly (keyof FleetInput)[];

/** One (account, Region): an item of the Distributed Map, with the sweep input of its child. */
export const FleetPairSchema = z.object({
  accountId: AccountIdSchema,
  region: RegionSchema,
  sweepInput: z.record(z.string(), z.unknown()),
});
export type FleetPair = z.infer<typeof FleetPairSchema>;

export const DiscoveredTargetsSchema = z.object({
  fleetId: z.string().regex(/^\d{8}T\d{6}Z(-[a-z0-9]{4})?$/),
  checkedAt: z.iso.datetime({ offset: true }),
  bucket: z.string(),
  itemsKey: z.string(),
  resultsPrefix: z.string(),
  reportPrefix: z.string(),
  pairs: z.number().int().min(0),
  accounts: z.number().int().min(0),
  maxConcurrency: z.number().int().min(0),
  toleratedFailurePercentage: z.number().min(0).max(100),
  alarmDays: z.number().int(),
  excluded: z.array(z.string()),
  retryOf: z.string().optional(),
  /**
   * The execution-input fields that set this run's scope or alarm apart from the stack's settings
   * (FLEET_SCOPE_FIELDS): a run that covers less than the fleet (or alarms later) is not the
   * fleet's status (`byok fleet status` shows the newest run without any).
   */
  narrowedBy: z.array(z.string()).optional(),
});
export type DiscoveredTargets = z.infer<typeof DiscoveredTargetsSchema>;

export const SummarizeFleetInputSchema = z.object({
  targets: DiscoveredTargetsSchema,
  map: z
    .object({ MapRunArn: z.string(), ResultWriterDetails: z.object({ Bucket: z.string(), Key: z.string() }) })
    .optional(),
  mapError: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});
export type SummarizeFleetInput = z.infer<typeof SummarizeFleetInputSchema>;

export interface FleetMaterial {
  keyId: string;
  region: string;
  keyMaterialId?: string | undefined;
  validTo?: string | undefined;
  reimported: boolean;
}

export interface FleetPairReport {
  accountId: string;
  region: string;
  status: 'SUCCEEDED' | 'FAILED' | 'NOT_RUN';
  error?: string | undefined;
  cause?: string | undefined;
  hint?: string | undefined;
  executionArn?: string | undefined;
  managedKeys: number;
  due: number;
  reimported: number;
  failed: number;
  /**
   * Keys the pair's sweep could not read (throttled, denied): not covered, so the pair's sweep was
   * PARTIAL although its execution SUCCEEDED. Absent in reports from before it was kept.
   */
  unread?: number | undefined;
  /** The pair's sweep's outcomeReason when it was PARTIAL (`3 keys could not be read (…)`). */
  outcomeReason?: string | undefined;
  failures: { keyId: string; error: string; cause: string }[];
  materials: FleetMaterial[];
}

export interface AtRiskMaterial {
  accountId: string;
  region: string;
  keyId: string;
  keyMaterialId?: string | undefined;
  validTo: string;
  daysLeft: number;
}

export interface FleetReport {
  fleetId: string;
  checkedAt: string;
  generatedAt: string;
  alarmDays: number;
  totals: {
    pairs: number;
    succeeded: number;
    failed: number;
    notRun: number;
    managedKeys: number;
    due: number;
    reimported: number;
    failedKeys: number;
    /** Keys the pairs' sweeps could not read; absent in reports from before it was kept. */
    unreadKeys?: number | undefined;
  };
  pairs: FleetPairReport[];
  atRisk: AtRiskMaterial[];
  alarm: boolean;
  /** The execution-input fields that narrowed the run (DiscoveredTargets.narrowedBy); absent for a run of the whole fleet. */
  narrowedBy?: string[] | undefined;
}

/** What SummarizeFleet returns (and the fleet event's detail): counts, failures by name, where the report is. */
export interface FleetSummary {
  fleetId: string;
  checkedAt: string;
  totals: FleetReport['totals'];
  failures: { accountId: string; region: string; error: string; hint?: string | undefined }[];
  failedKeys: { accountId: string; region: string; keyId: string; error: string }[];
  atRisk: number;
  alarm: boolean;
  report: { bucket: string; json: string; csv: string; html: string };
}

export const MAX_LISTED_FAILURES = 50;
