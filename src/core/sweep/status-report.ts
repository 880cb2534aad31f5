// What `byok status` reports and the console's Keys page shows, as plain data: types only, so the
// console's browser code (src/onprem/console/wire.ts) shares them with the server that sends them.

export interface LastRun {
  result: 'SUCCEEDED' | 'FAILED';
  at: string;
  error?: string | undefined;
  /** A `byok import` stopped by a signal before it verified (the console reads its run record). */
  interrupted?: boolean | undefined;
}

export interface KeyStatus {
  keyId: string;
  /** The key's KMS description, null when it has none. */
  description?: string | null;
  keySpec: string;
  hsmKeyLabel: string | null;
  keyState: string;
  validTo: string | null;
  secondsLeft: number | null;
  /** No material now (expired, deleted or never imported): every use of the key fails. */
  withoutMaterial: boolean;
  /** `now`, an ISO date, or null when the material does not expire or the sweep leaves the key alone. */
  nextDue: string | null;
  note: string | null;
  lastRun: LastRun | null;
  /** Every material in every Region, most urgent first. */
  materials: MaterialStatus[];
}

export interface MaterialStatus {
  /** Symmetric keys; null for a key family with one material. */
  keyMaterialId: string | null;
  region: string;
  /** PRIMARY, REPLICA or SINGLE. */
  role: string;
  hsmKeyLabel: string | null;
  /**
   * The AES key check value recorded with the material (compare with `byok hsm list`), null when
   * none is recorded (other key families, or material imported before byok recorded it).
   */
  checkValue: string | null;
  /** CURRENT or NON_CURRENT. */
  state: string;
  /** IMPORTED or PENDING_IMPORT. */
  importState: string;
  validTo: string | null;
  secondsLeft: number | null;
  nextDue: string | null;
  note: string | null;
}

export interface StatusReport {
  checkedAt: string;
  leadWindowDays: number;
  keys: KeyStatus[];
  /**
   * Managed keys that could not be read (their tags, or a material in some Region): nothing is
   * known of their material, and `byok status` does not exit 0 while any is listed.
   */
  unreadable: { keyId: string; why: string; error?: string | undefined }[];
  /** The last sweep's report, when one is known: its outcome, and the keys it could not cover. */
  lastSweep?: LastSweep | undefined;
}

/** What `byok status` (and the console) show of the last sweep (its report, trimmed). */
export interface LastSweep {
  sweepId: string;
  checkedAt: string;
  /**
   * PARTIAL: some key could not be read or some import failed (docs/scheduling.md). FAILED: the
   * sweep's execution itself did not succeed (no report; outcomeReason says how it ended).
   */
  outcome: 'COMPLETE' | 'PARTIAL' | 'FAILED';
  outcomeReason: string | null;
  due: number;
  succeeded: number;
  failed: number;
  /** Keys the sweep could not read, each with the error's name and why. */
  unread: number;
  unreadKeys: { keyId: string; error: string; why: string }[];
  failures: { keyId: string; error: string }[];
}
