// `byok import` stopped by SIGINT (Ctrl-C) or SIGTERM, and the record of every run. An interrupted
// run stops where it is (the runner aborts the execution); then it says what KMS holds now for the
// key, compared with before the run (changed / unchanged / unverified: material reached KMS but
// VerifyImport did not finish), and the command that finishes or verifies it, and records the run
// in the import-runs record (src/onprem/import-runs), which `byok status` and the console list.
import { hostname } from 'node:os';
import { clip, type ImportRun, type ImportRunOutcome, type KmsView } from '../../../import-runs/contracts.ts';
import { locateImportRunRecord } from '../../../import-runs/locate.ts';
import type { AwsTarget } from '../../aws-target.ts';
import { byokCommand } from '../../hints.ts';
import { IMPORT_STATE, type KeySnapshot } from '../../outcome.ts';

/**
 * Verified means VerifyImport succeeded for every Region: the run went on to PublishSucceeded, or
 * passed HasReplicas (entered only after VerifyImport succeeded) with no replica import under way.
 * Entering VerifyImport and then any other state was taken for "verified" before, but the state
 * after a failed VerifyImport is the failure path (FindFailedKeyId … PublishFailed), and after a
 * good one the replicas' own imports may still be running.
 */
function verifiedIn(entered: readonly string[]): boolean {
  if (entered.includes('FindFailedKeyId')) return false;
  if (entered.includes('PublishSucceeded')) return true;
  return entered.includes('HasReplicas') && !entered.includes('ImportIntoReplicas');
}

export interface InterruptWatch {
  /** Aborted at the first SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** The signal that came, if one did. */
  readonly signalName: NodeJS.Signals | undefined;
  stop(): void;
}

/** The first SIGINT/SIGTERM aborts the run (and is reported); a second ends the process at once. */
export function watchInterrupts(): InterruptWatch {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      process.stderr.write(`byok import: ${signal} again: exiting now, without the report\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    }
    received = signal;
    process.stderr.write(
      `byok import: ${signal}: stopping the import where it is (${signal} again to quit at once)\n`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    get signalName() {
      return received;
    },
    stop() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function same(before: KeySnapshot | Error | undefined, after: KeySnapshot | Error): boolean | undefined {
  if (!before || before instanceof Error || after instanceof Error) return undefined;
  return (
    before.keyState === after.keyState &&
    before.validTo === after.validTo &&
    before.keyMaterialId === after.keyMaterialId
  );
}

/** What KMS holds after an interrupted run, and the command that finishes or verifies it. */
export async function reportInterrupted(facts: {
  signal: NodeJS.Signals;
  keyId: string;
  entered: readonly string[];
  before: KeySnapshot | Error | undefined;
  after: KeySnapshot | Error;
  target: AwsTarget;
}): Promise<{ kms: KmsView; next: string }> {
  const reachedImport = facts.entered.includes(IMPORT_STATE);
  const verified = verifiedIn(facts.entered);
  const unchanged = same(facts.before, facts.after);
  const kms: KmsView =
    !reachedImport || unchanged === true ? 'unchanged' : verified ? 'changed' : 'unverified';
  const shown =
    facts.after instanceof Error
      ? `KMS did not answer (${facts.after.name})`
      : `KMS shows ${facts.after.keyState}, ValidTo ${facts.after.validTo ?? 'none'}`;
  const next = byokCommand(facts.target, 'import', '--key-id', facts.keyId);
  const lines = [
    `byok import: interrupted by ${facts.signal} in ${facts.entered.at(-1) ?? 'the first step'}`,
    kms === 'unchanged'
      ? `key ${facts.keyId}: UNCHANGED: ${shown}; nothing was imported`
      : kms === 'unverified'
        ? `key ${facts.keyId}: UNVERIFIED: the material may have reached KMS (${shown}) but was not verified`
        : `key ${facts.keyId}: CHANGED and verified: ${shown}`,
    kms === 'unverified'
      ? `next: run the import again to import and verify it: ${next}`
      : kms === 'unchanged'
        ? `next: run the import again: ${next}`
        : `next: check it with: ${byokCommand(facts.target, 'status')}`,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
  return { kms, next: kms === 'changed' ? byokCommand(facts.target, 'status') : next };
}

/** Records one run; best effort: a record that cannot be written is a warning, never the outcome. */
export async function recordImportRun(
  target: AwsTarget,
  run: {
    keyId: string;
    startedAt: Date;
    outcome: ImportRunOutcome;
    kms?: KmsView | undefined;
    error?: string | undefined;
    message?: string | undefined;
    lastState?: string | undefined;
    next?: string | undefined;
    keyMaterialId?: string | undefined;
    validTo?: string | undefined;
  },
): Promise<ImportRun | undefined> {
  const record = await locateImportRunRecord(target).catch(() => undefined);
  if (!record) return undefined;
  const entry: ImportRun = {
    runId: crypto.randomUUID(),
    keyId: run.keyId,
    target: target.endpoint ?? target.region ?? 'aws',
    startedAt: run.startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    outcome: run.outcome,
    ...(run.kms ? { kms: run.kms } : {}),
    ...(run.lastState ? { lastState: run.lastState } : {}),
    ...(run.error ? { error: clip(run.error, 256) } : {}),
    ...(clip(run.message) ? { message: clip(run.message) } : {}),
    ...(run.next ? { next: clip(run.next) } : {}),
    host: clip(hostname(), 256),
    ...(run.keyMaterialId ? { keyMaterialId: run.keyMaterialId } : {}),
    ...(run.validTo ? { validTo: new Date(run.validTo).toISOString() } : {}),
  };
  try {
    await record.record(entry);
    return entry;
  } catch (error) {
    process.stderr.write(
      `byok import: the run was not recorded in ${record.where}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return undefined;
  } finally {
    record.close();
  }
}
