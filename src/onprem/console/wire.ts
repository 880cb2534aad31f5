// The console's wire types: what its API answers with, in one types-only module that the server
// modules (keys.ts, runs.ts, approvals.ts, import-runs.ts, start-import.ts) build and the page
// (ui/, type-checked for the browser by ui/tsconfig.json) reads. Types only: nothing here runs, and
// it imports only other types-only or browser-safe modules, so the page never reaches Node code.

import type { KeyStatus, StatusReport } from '../../core/sweep/status-report.ts';
import type { ImportRun } from '../import-runs/contracts.ts';

export type { MaterialStatus } from '../../core/sweep/status-report.ts';
export type { ImportRun } from '../import-runs/contracts.ts';

/** byok's workflows, by the name of their statemachines/<name>.asl.json. */
export type Workflow = 'import-key-material' | 'reimport-expiring-keys' | 'rotate-key-material';

/**
 * Whether byok may import into the key: only an HSM key an administrator bound to it (`byok bindings
 * add`) goes in; the sweep and every import refuse any other with HsmKeyNotBoundError.
 */
export interface KeyBinding {
  /**
   * bound: the HSM key its byok:hsm-key-label tag names is bound to it; unbound: it is not (or the
   * key has no such tag); unknown: the bindings could not be read (`detail` says why).
   */
  state: 'bound' | 'unbound' | 'unknown';
  /** The HSM key labels bound to this key, sorted. */
  boundLabels: string[];
  /** unbound: what an administrator runs to bind the tagged HSM key; unknown: why it is not known. */
  detail: string | null;
  /** unbound: the other KMS key the tagged HSM key is bound to, if any. */
  boundElsewhere: string | null;
}

/** GET /api/keys: one key of `byok status`, with what custodians know it by. */
export interface KeyView extends KeyStatus {
  /** `alias/…` names pointing at the key, sorted. */
  aliases: string[];
  description: string | null;
  binding: KeyBinding;
}

export interface KeysView extends Omit<StatusReport, 'keys'> {
  keys: KeyView[];
}

/** GET /api/runs: one execution of a byok state machine. */
export interface RunSummary {
  executionArn: string;
  name: string;
  workflow: Workflow;
  status: string;
  /** The key the run imports or rotates, null for a sweep. */
  keyId: string | null;
  /** A rotation's approval request. */
  requestId: string | null;
  startDate: string;
  stopDate: string | null;
  durationMs: number | null;
  error: string | null;
  /**
   * A sweep that ended: its report's outcome (a PARTIAL sweep's execution SUCCEEDS too, so the
   * status alone would call it a success); null for other runs and running sweeps.
   */
  outcome: 'COMPLETE' | 'PARTIAL' | null;
}

export interface StateVisit {
  name: string;
  type: string;
  /** succeeded, failed (its error was caught or ended the run) or running. */
  status: 'succeeded' | 'failed' | 'running';
  enteredAt: string;
  exitedAt: string | null;
  input: unknown;
  output: unknown;
  error: string | null;
  cause: string | null;
}

/** The fields of an ASL state the run graph reads (the definition is sent as the .asl.json holds it). */
export interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string }[];
  Catch?: { Next: string; ErrorEquals: string[] }[];
  ItemProcessor?: AslDefinition;
  Iterator?: AslDefinition;
  Branches?: AslDefinition[];
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}

/** GET /api/runs/:arn */
export interface RunDetail extends RunSummary {
  input: unknown;
  output: unknown;
  cause: string | null;
  hint: string | null;
  /** The workflow's ASL, to draw. */
  definition: AslDefinition;
  /** Every state entered, in order (a state entered twice appears twice). */
  visits: StateVisit[];
}

/** GET /api/import-runs: the newest `byok import` runs from the import-runs record. */
export interface ImportRunsView {
  runs: ImportRun[];
  /** Why no runs could be read (no record here, or it refused), when so. */
  unavailable: string | null;
}

/** POST /api/imports */
export interface StartedImport {
  executionArn: string;
  startDate: string;
}

/** One rotation request as the page sees it: never a task token. */
export interface ApprovalView {
  requestId: string;
  keyId: string;
  keyArn: string;
  requester: string;
  reason: string;
  status: string;
  checkValue: string | null;
  newMaterialHsmKey: string | null;
  approvals: number;
  approvalsRequired: number;
  votes: { identity: string; decision: 'approve' | 'reject'; reason: string; at: string }[];
  createdAt: string;
  deadline: string;
  executionArn: string | null;
  endReason: string | null;
}

/** GET /api/approvals */
export interface ApprovalsView {
  /** The console user's authenticated identity. */
  identity: string;
  requests: ApprovalView[];
}

/** Any refused request: the named error, its message, a hint, and the input issues when invalid. */
export interface ApiError {
  error: string;
  message: string;
  hint?: string;
  issues?: string[];
}

/** GET /api/runs: the executions, and next to them the runs of `byok import`. */
export interface RunsView {
  runs: RunSummary[];
  importRuns: ImportRunsView;
}
