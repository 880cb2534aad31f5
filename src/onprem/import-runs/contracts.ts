// What one `byok import` run leaves in the import-runs record: who ran what against which key, how
// it ended (SUCCEEDED, FAILED, INTERRUPTED by a signal), what KMS holds for the key afterwards
// (changed / unchanged / unverified) and the command that finishes or verifies it. Only ids, names,
// instants and messages byok wrote: never an import token, a wrapped blob or key material.
import { z } from 'zod';

export const IMPORT_RUN_OUTCOMES = ['SUCCEEDED', 'FAILED', 'INTERRUPTED'] as const;
export type ImportRunOutcome = (typeof IMPORT_RUN_OUTCOMES)[number];

/** What KMS shows for the key after the run, compared with before it. */
export const KMS_VIEWS = ['changed', 'unchanged', 'unverified'] as const;
export type KmsView = (typeof KMS_VIEWS)[number];

const instant = z.iso.datetime({ offset: false });
const text = (max: number) => z.string().min(1).max(max);

export const ImportRunSchema = z
  .object({
    runId: z.uuid(),
    keyId: text(2048),
    /** The Region (AWS) or the local stack's URL the run went to. */
    target: text(512),
    startedAt: instant,
    endedAt: instant,
    outcome: z.enum(IMPORT_RUN_OUTCOMES),
    kms: z.enum(KMS_VIEWS).optional(),
    /** The last state the workflow entered. */
    lastState: text(128).optional(),
    /** The error's name (FAILED) or the signal (INTERRUPTED: SIGINT, SIGTERM). */
    error: text(256).optional(),
    message: text(1024).optional(),
    /** The command that finishes or verifies what the run left. */
    next: text(1024).optional(),
    /** The machine that ran it (os.hostname()). */
    host: text(256).optional(),
    keyMaterialId: text(128).optional(),
    validTo: instant.optional(),
  })
  .strict();

export type ImportRun = z.infer<typeof ImportRunSchema>;

/** Cuts a message to the record's limit, so a long cause never refuses the record itself. */
export function clip(value: string | undefined, max = 1024): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed.length === 0) return undefined;
  return trimmed.length <= max ? trimmed : `${trimmed.slice(0, max - 1)}…`;
}
