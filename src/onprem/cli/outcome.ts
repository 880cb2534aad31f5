// What a failed import tells its user, truthfully: the step's own error first (never the error of
// publishing the failure event, which is best effort and gets a line of its own), and, once the
// run reached ImportKeyMaterial, whether KMS shows the key changed: DescribeKey before and after,
// compared on state, ValidTo and current material. Used by `byok import` (in-process runs) and
// `byok start` (executions followed over the Step Functions API) alike.
import { DescribeKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { awsCommand, byokCommand, type HintTarget } from './hints.ts';

/** The state after which KMS may hold new material. */
export const IMPORT_STATE = 'ImportKeyMaterial';
/** The state that publishes the failure event. */
export const PUBLISH_FAILED_STATE = 'PublishFailed';

/** What DescribeKey shows about a key's material, for comparing before and after an import. */
export interface KeySnapshot {
  keyState: string;
  validTo: string | undefined;
  keyMaterialId: string | undefined;
}

/** The key as KMS shows it now, or the error that kept KMS from answering. */
export async function snapshotKey(kms: KMSClient, keyId: string): Promise<KeySnapshot | Error> {
  try {
    const metadata = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
    return {
      keyState: metadata?.KeyState ?? 'unknown',
      validTo: metadata?.ValidTo?.toISOString(),
      keyMaterialId: metadata?.CurrentKeyMaterialId,
    };
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

function describeSnapshot(snapshot: KeySnapshot): string {
  const parts = [snapshot.keyState, `ValidTo ${snapshot.validTo ?? 'none'}`];
  if (snapshot.keyMaterialId) parts.push(`material ${snapshot.keyMaterialId}`);
  return parts.join(', ');
}

/** The changed fields, as `field before -> after`; empty when nothing changed. */
function differences(before: KeySnapshot, after: KeySnapshot): string[] {
  const changed: string[] = [];
  if (before.keyState !== after.keyState) changed.push(`state ${before.keyState} -> ${after.keyState}`);
  if (before.validTo !== after.validTo) {
    changed.push(`ValidTo ${before.validTo ?? 'none'} -> ${after.validTo ?? 'none'}`);
  }
  if (before.keyMaterialId !== after.keyMaterialId) {
    changed.push(`material ${before.keyMaterialId ?? 'none'} -> ${after.keyMaterialId ?? 'none'}`);
  }
  return changed;
}

export interface FailureFacts {
  keyId: string;
  /** Whether the run entered ImportKeyMaterial (KMS may then hold new material). */
  reachedImport: boolean;
  /** The failure event's publishing error, if publishing it failed. */
  publishFailure?: { error: string; cause?: string | undefined } | undefined;
  /** DescribeKey before the run (or the error reading it). */
  before?: KeySnapshot | Error | undefined;
  /** DescribeKey after the run (or the error reading it); read only when reachedImport. */
  after?: KeySnapshot | Error | undefined;
  /** Where the run went: the commands suggested go there too (--endpoint, --region, --profile). */
  target?: HintTarget | undefined;
}

/** The lines under the error line, and the hint saying what to run next. */
export interface FailureReport {
  details: string[];
  hint: string;
}

export function reportFailure(facts: FailureFacts): FailureReport {
  const details: string[] = [];
  if (facts.publishFailure) {
    const { error, cause } = facts.publishFailure;
    details.push(`also: the failure event was not published (${error}${cause ? `: ${cause}` : ''})`);
  }
  const target = facts.target ?? {};
  const status = byokCommand(target, 'status');
  const describeKey = awsCommand(target, 'kms', 'describe-key', '--key-id', facts.keyId);
  if (!facts.reachedImport) {
    details.push(`key ${facts.keyId}: unchanged (the run stopped before ${IMPORT_STATE})`);
    return { details, hint: 'fix the cause above and run the import again' };
  }
  const { before, after } = facts;
  if (after === undefined || after instanceof Error) {
    const why = after instanceof Error ? `: ${after.name}: ${after.message}` : '';
    details.push(`key ${facts.keyId}: may have changed; KMS could not be read to tell${why}`);
    return {
      details,
      hint: `check the key (${status}, or ${describeKey}) before importing again`,
    };
  }
  if (before === undefined || before instanceof Error) {
    details.push(
      `key ${facts.keyId}: KMS now shows ${describeSnapshot(after)} (its state before the run is unknown)`,
    );
    return { details, hint: `check the key with ${status}, then run the import again to verify it` };
  }
  const changed = differences(before, after);
  if (changed.length === 0) {
    details.push(`key ${facts.keyId}: unchanged, KMS shows ${describeSnapshot(after)}`);
    return { details, hint: 'fix the cause above and run the import again' };
  }
  details.push(`key ${facts.keyId}: CHANGED, KMS shows ${changed.join(', ')}`);
  return {
    details,
    hint: `the material reached KMS; see it with ${status}, then run the same import again to verify it and publish the result`,
  };
}
