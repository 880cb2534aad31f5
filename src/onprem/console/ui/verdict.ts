// The verdict a run page opens with, before any graph or JSON: Verified (how KMS proved it holds
// the HSM's material, the check value and what to compare it with, the key's state and ValidTo), or
// Failed (the error by name, its message and hint, and what the run changed in KMS), or what it is
// waiting for. Read from the run's (redacted) output and its state visits. Pure: unit-tested.

import type { RunDetail, StateVisit } from '../wire.ts';
import { failedVisitOf } from './graph-model.ts';

export interface Verdict {
  /** partial: the run ended, but not all it was for was done (a sweep PARTIAL). */
  kind: 'verified' | 'succeeded' | 'partial' | 'failed' | 'running' | 'waiting-approval';
  title: string;
  /** Short statements under the title, in order. */
  lines: string[];
  /** Each check the verification made: name, passed, detail. */
  checks: { name: string; passed: boolean; detail: string }[];
  /** A rotation waiting for votes: its request (for the link to the vote). */
  requestId: string | null;
}

interface Evidence {
  method?: unknown;
  summary?: unknown;
  checks?: unknown;
}

const METHOD_WORDS: Record<string, string> = {
  'encrypt-decrypt': 'decrypt matches',
  'mac-challenge': 'MAC matches',
  signature: 'signature verifies',
  'public-key-encryption': 'decrypt matches',
  'public-key': 'public key matches',
};

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function succeeded(visits: StateVisit[], names: string[]): boolean {
  return visits.some((visit) => names.includes(visit.name) && visit.status === 'succeeded');
}

function visited(visits: StateVisit[], names: string[]): boolean {
  return visits.some((visit) => names.includes(visit.name));
}

/** What a failed run left in KMS, from the states it went through. */
export function kmsChangeOf(run: Pick<RunDetail, 'workflow' | 'visits'>): string {
  const { visits } = run;
  if (run.workflow === 'import-key-material') {
    if (succeeded(visits, ['VerifyImport'])) {
      return 'KMS holds the verified material; a later step (replicas or the success event) failed.';
    }
    if (succeeded(visits, ['ImportKeyMaterial'])) {
      return 'KMS accepted the material (ImportKeyMaterial succeeded), but it was not verified: run the import again to prove it.';
    }
    return 'Nothing changed in KMS: the run stopped before ImportKeyMaterial.';
  }
  if (run.workflow === 'rotate-key-material') {
    if (succeeded(visits, ['RotateKeyOnDemand'])) {
      return 'The key rotated to the new material (RotateKeyOnDemand succeeded); its proof did not complete.';
    }
    if (succeeded(visits, ['ImportNewMaterial'])) {
      return visited(visits, ['AbandonRotation'])
        ? 'The new material was imported as pending and removed again when the rotation was abandoned; the key still uses its current material.'
        : 'The new material was imported as pending; the key still uses its current material.';
    }
    return 'Nothing changed in KMS: the key still uses its current material.';
  }
  return "Each key's own import run (on the Runs page) says what changed for that key.";
}

function checksOf(evidence: Evidence | undefined): Verdict['checks'] {
  if (!Array.isArray(evidence?.checks)) return [];
  return evidence.checks.flatMap((check) => {
    const entry = record(check);
    if (!entry || typeof entry.name !== 'string') return [];
    return [{ name: entry.name, passed: entry.passed === true, detail: text(entry.detail) ?? '' }];
  });
}

/** The HSM's check value of an AES key (from the wrap step's public evidence), if the run has one. */
export function checkValueOf(visits: StateVisit[]): { kcv: string; hsmKeyLabel: string | null } | undefined {
  for (const visit of [...visits].reverse()) {
    const output = record(visit.output);
    const evidence = record(output?.hsmEvidence) ?? record(record(output?.wrapped)?.hsmEvidence);
    const kcv = text(evidence?.kcv);
    if (kcv) {
      const input = record(visit.input);
      const label = text(record(input?.importParameters)?.hsmKeyLabel) ?? text(input?.hsmKeyLabel) ?? null;
      return { kcv, hsmKeyLabel: label };
    }
  }
  return undefined;
}

/**
 * A rotation that ended well: the new material current, its check value as the approvers confirmed
 * it, who approved, and each check VerifyRotation made (old material still decrypts, both imported).
 */
function rotationVerdict(
  output: Record<string, unknown>,
  base: Pick<Verdict, 'checks' | 'requestId'>,
): Verdict {
  const checks = checksOf(output as Evidence);
  const passed = checks.length > 0 && checks.every((check) => check.passed);
  const newMaterial = text(output.newKeyMaterialId);
  const oldMaterial = text(output.oldKeyMaterialId);
  const kcv = text(output.checkValue);
  const label = text(output.newHsmKeyLabel);
  const approvers = Array.isArray(output.approvers)
    ? output.approvers.filter((a) => typeof a === 'string')
    : [];
  const replicas = Array.isArray(output.replicaArns) ? output.replicaArns.length : 0;
  const lines = [
    `New material ${newMaterial ? `${newMaterial.slice(0, 12)}… ` : ''}is current${
      replicas > 0 ? ` in the primary and ${replicas} replica Region${replicas === 1 ? '' : 's'}` : ''
    }; the previous material ${oldMaterial ? `${oldMaterial.slice(0, 12)}… ` : ''}stays, so what it encrypted still decrypts.`,
    ...(kcv
      ? [
          `Check value ${kcv}: compare it with the KCV that \`byok hsm list\` shows for HSM key ${label ?? '(the new key)'} (AES-ECB of a zero block; the same value means the same key).`,
        ]
      : []),
    ...(approvers.length > 0 ? [`Approved by ${approvers.join(', ')}.`] : []),
  ];
  return {
    ...base,
    kind: passed ? 'verified' : 'failed',
    title: passed ? 'Verified: rotated to the approved material' : 'Rotation verification failed',
    lines,
    checks,
  };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/**
 * A sweep's execution SUCCEEDS also when some keys could not be read or reimported: its report says
 * PARTIAL then, and so does the banner (never a plain success), with the counts and the reason.
 */
function sweepVerdict(output: Record<string, unknown>, base: Pick<Verdict, 'checks' | 'requestId'>): Verdict {
  const partial = output.outcome !== 'COMPLETE';
  const due = count(output.due);
  const lines = [
    `${count(output.managedKeys)} managed keys checked: ${due} due, ${count(output.succeeded)} reimported, ${count(output.failed)} failed, ${count(output.deferred)} deferred to the next sweep, ${count(output.unread)} could not be read.`,
    ...(partial && text(output.outcomeReason) ? [`${text(output.outcomeReason)}.`] : []),
    ...(Array.isArray(output.failures)
      ? output.failures.flatMap((failure) => {
          const entry = record(failure);
          const keyId = text(entry?.keyId);
          const error = text(entry?.error);
          return keyId && error ? [`${keyId}: ${error}.`] : [];
        })
      : []),
  ];
  return {
    ...base,
    kind: partial ? 'partial' : 'succeeded',
    title: partial ? 'Partial: not every key was kept imported' : 'Complete: every due key reimported',
    lines,
  };
}

export function verdictOf(run: RunDetail): Verdict {
  const base = { checks: [], requestId: run.requestId } satisfies Partial<Verdict>;
  if (run.status === 'RUNNING') {
    const last = run.visits[run.visits.length - 1];
    if (
      run.workflow === 'rotate-key-material' &&
      last?.name === 'AwaitApproval' &&
      last.status === 'running'
    ) {
      return {
        ...base,
        kind: 'waiting-approval',
        title: 'Waiting for approval',
        lines: [
          'The new material is in the HSM; the rotation continues once enough other people approve the request.',
        ],
      };
    }
    return {
      ...base,
      kind: 'running',
      title: 'Running',
      lines: [last ? `Now in ${last.name}.` : 'Starting.'],
    };
  }
  if (run.status !== 'SUCCEEDED') {
    const failed = failedVisitOf(run.visits);
    return {
      ...base,
      kind: 'failed',
      title: `Failed: ${run.error ?? failed?.error ?? run.status}`,
      lines: [
        ...(failed ? [`In ${failed.name}.`] : []),
        ...(run.cause ? [run.cause] : []),
        ...(run.hint ? [`Hint: ${run.hint}`] : []),
        kmsChangeOf(run),
      ],
    };
  }
  const output = record(run.output);
  if (run.workflow === 'rotate-key-material' && output && Array.isArray(output.checks)) {
    return rotationVerdict(output, base);
  }
  if (run.workflow === 'reimport-expiring-keys' && output && typeof output.outcome === 'string') {
    return sweepVerdict(output, base);
  }
  const evidence = record(output?.evidence) as Evidence | undefined;
  if (!evidence) {
    return { ...base, kind: 'succeeded', title: 'Succeeded', lines: [] };
  }
  const checks = checksOf(evidence);
  const method = text(evidence.method);
  const passed = checks.every((check) => check.passed);
  const lines: string[] = [];
  const summary = text(evidence.summary);
  if (summary) lines.push(`${summary}.`);
  const kcv = checkValueOf(run.visits);
  if (kcv) {
    lines.push(
      `Check value ${kcv.kcv}: compare it with the KCV that \`byok hsm list\` shows for HSM key ${
        kcv.hsmKeyLabel ?? text(output?.hsmKeyLabel) ?? '(the key’s label)'
      } (AES-ECB of a zero block; the same value means the same key).`,
    );
  }
  const state = text(output?.keyState);
  const validTo = text(output?.validTo);
  const materialId = text(output?.keyMaterialId);
  const facts = [
    state ? `Key state ${state}` : undefined,
    validTo ? `valid to ${validTo.slice(0, 16).replace('T', ' ')} UTC` : 'material does not expire',
    materialId ? `material ${materialId.slice(0, 12)}…` : undefined,
  ];
  lines.push(`${facts.filter(Boolean).join(', ')}.`);
  return {
    ...base,
    kind: passed ? 'verified' : 'failed',
    title: passed
      ? `Verified: ${METHOD_WORDS[method ?? ''] ?? 'KMS holds the HSM key’s material'}`
      : 'Verification failed',
    lines,
    checks,
  };
}
