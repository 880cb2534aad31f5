// The shapes the console's API answers with (src/onprem/console/keys.ts, runs.ts, start-import.ts), as the
// page reads them. Written out here because the page is type-checked for the browser, apart from
// the server's Node code.

export interface LastRun {
  result: 'SUCCEEDED' | 'FAILED';
  at: string;
  error?: string;
  /** A `byok import` stopped by a signal before it verified. */
  interrupted?: boolean;
}

/** One material of a key in one Region (src/core/sweep/status.ts MaterialStatus). */
export interface MaterialView {
  /** null for a key family with one material. */
  keyMaterialId: string | null;
  region: string;
  /** PRIMARY, REPLICA or SINGLE. */
  role: string;
  hsmKeyLabel: string | null;
  state: string;
  importState: string;
  validTo: string | null;
  secondsLeft: number | null;
  nextDue: string | null;
  note: string | null;
}

export interface KeyView {
  keyId: string;
  /** The key's aliases (`alias/…`), as custodians know it. */
  aliases: string[];
  /** The key's KMS description. */
  description: string | null;
  keySpec: string;
  hsmKeyLabel: string | null;
  keyState: string;
  validTo: string | null;
  secondsLeft: number | null;
  withoutMaterial: boolean;
  nextDue: string | null;
  note: string | null;
  lastRun: LastRun | null;
  materials: MaterialView[];
}

export interface KeysView {
  checkedAt: string;
  leadWindowDays: number;
  keys: KeyView[];
  unreadable: { keyId: string; why: string }[];
}

export interface RunSummary {
  executionArn: string;
  name: string;
  workflow: string;
  status: string;
  keyId: string | null;
  /** A rotation's approval request. */
  requestId: string | null;
  startDate: string;
  stopDate: string | null;
  durationMs: number | null;
  error: string | null;
}

export interface StateVisit {
  name: string;
  type: string;
  status: 'succeeded' | 'failed' | 'running';
  enteredAt: string;
  exitedAt: string | null;
  input: unknown;
  output: unknown;
  error: string | null;
  cause: string | null;
}

export interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string }[];
  Catch?: { Next: string; ErrorEquals: string[] }[];
  ItemProcessor?: AslDefinition;
  Iterator?: AslDefinition;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
}

export interface RunDetail extends RunSummary {
  input: unknown;
  output: unknown;
  cause: string | null;
  hint: string | null;
  definition: AslDefinition;
  visits: StateVisit[];
}

export interface ApiError {
  error: string;
  message: string;
  hint?: string;
  issues?: string[];
}

/** One rotation request (src/onprem/console/approvals.ts ApprovalView): never a task token. */
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

export interface ApprovalsView {
  /** The console user's authenticated identity. */
  identity: string;
  requests: ApprovalView[];
}
