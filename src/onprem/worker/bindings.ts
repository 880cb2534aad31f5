// The worker's allowlist: which HSM key (by label) it may wrap for which KMS key (by ARN). It comes
// only from the worker's own configuration (--bind, a bindings file), never from a task, so a task
// that pairs an HSM key with any other KMS key is refused however the AWS side was told to ask.
// Key ids are normalised to lower case (KMS's own spelling), so an upper-case id still matches.
// A binding of a multi-Region key (`mrk-…`) covers its replicas: the same key id in another Region
// of the same account (the wrap task asks KMS there for the replica's own parameters). A
// rotation-derived label (`<label>-r<n>-<request8>`) is only *possibly* covered: the caller must
// find it in the worker's journal (./journal.ts) before using it.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { isPrintableText } from '../../core/shared/text.ts';
import { InvalidWorkerBindingError, WorkerKeyNotBoundError } from './errors.ts';

const KMS_KEY_ARN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

export interface KeyBinding {
  hsmKeyLabel: string;
  kmsKeyArn: string;
}

const BindingSchema = z.strictObject({
  hsmKeyLabel: z.string().min(1).max(128).refine(isPrintableText, 'must be printable text'),
  kmsKeyArn: z.string().regex(KMS_KEY_ARN, 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)'),
});
const BindingsFileSchema = z.strictObject({ bindings: z.array(BindingSchema) });

/** The ARN with its key id in lower case (KMS answers key ids in lower case). */
function normaliseKeyArn(arn: string): string {
  const slash = arn.lastIndexOf('/');
  return `${arn.slice(0, slash + 1)}${arn.slice(slash + 1).toLowerCase()}`;
}

/** `label=arn:aws:kms:...` (the label may itself contain `=`: the ARN starts after the last one). */
export function parseBinding(text: string): KeyBinding {
  const at = text.lastIndexOf('=');
  const candidate = { hsmKeyLabel: text.slice(0, Math.max(0, at)), kmsKeyArn: text.slice(at + 1) };
  const parsed = BindingSchema.safeParse(candidate);
  if (at <= 0 || !parsed.success) {
    throw new InvalidWorkerBindingError(
      `--bind ${JSON.stringify(text)}: ${parsed.success ? 'no label' : describe(parsed.error)}`,
    );
  }
  return { ...parsed.data, kmsKeyArn: normaliseKeyArn(parsed.data.kmsKeyArn) };
}

export async function readBindingsFile(path: string): Promise<KeyBinding[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InvalidWorkerBindingError(`cannot read bindings file ${path}`, { cause: error });
  }
  const parsed = BindingsFileSchema.safeParse(json);
  if (!parsed.success)
    throw new InvalidWorkerBindingError(`bindings file ${path}: ${describe(parsed.error)}`);
  return parsed.data.bindings.map((binding) => ({
    ...binding,
    kmsKeyArn: normaliseKeyArn(binding.kmsKeyArn),
  }));
}

function describe(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'value'}: ${issue.message}`)
    .join('; ');
}

/**
 * The suffixes a rotation appends to the HSM key label (`<label>-r<sequence>-<request id, 8 chars>`,
 * newHsmKeyLabel in src/core/rotation/validate-rotation.ts), one per rotation.
 */
const ROTATION_SUFFIXES = /(-r\d+-[0-9a-f]{8})+$/;

/** The label a binding names for `hsmKeyLabel`: itself without the rotations' suffixes. */
export function baseHsmKeyLabel(hsmKeyLabel: string): string {
  return hsmKeyLabel.replace(ROTATION_SUFFIXES, '');
}

/** Is `hsmKeyLabel` the key a rotation request made (its last suffix names that request)? */
export function isRotationLabelOf(hsmKeyLabel: string, requestId: string): boolean {
  return new RegExp(`-r\\d+-${requestId.slice(0, 8).replace(/[^0-9a-f]/g, '_')}$`).test(hsmKeyLabel);
}

/** What a binding allows for one task: the KMS key to work for, and how the binding covers it. */
export interface BindingGrant {
  /** The task's KMS key ARN (normalised): the bound key, or a replica of it in another Region. */
  keyArn: string;
  /** The ARN the binding names (the journal records rotation keys under it). */
  boundArn: string;
  /**
   * 'exact': the label itself is bound; 'rotation': a rotation-derived label of a bound one (only
   * with a journal entry); 'any': development mode, nothing bound.
   */
  via: 'exact' | 'rotation' | 'any';
  /** Set when `keyArn` is a replica (same multi-Region key id, another Region) of `boundArn`. */
  replicaOf?: string | undefined;
}

const ARN_PARTS = /^(arn:aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;

/** Is `keyArn` the multi-Region key `boundArn` in another Region of the same account? */
function isReplicaArnOf(keyArn: string, boundArn: string): boolean {
  const task = ARN_PARTS.exec(keyArn);
  const bound = ARN_PARTS.exec(boundArn);
  if (!task || !bound) return false;
  const [, partition, region, account, keyId] = task;
  return (
    (keyId ?? '').startsWith('mrk-') &&
    partition === bound[1] &&
    account === bound[3] &&
    keyId === bound[4] &&
    region !== bound[2]
  );
}

/**
 * One KMS key per HSM key label. A binding `LABEL=KEY_ARN` may also cover the keys the rotations of
 * that KMS key make in the HSM (`LABEL-r<n>-<request>`, see baseHsmKeyLabel), but only those the
 * worker's journal shows it made (the KMS key stays the same, so the worker makes, wraps and
 * retires its new material without a new binding); a look-alike planted by someone else is not.
 */
export class KeyBindings {
  private readonly byLabel = new Map<string, string>();

  constructor(
    bindings: readonly KeyBinding[],
    /** Development only: wrap any HSM key for any KMS key the task names. */
    readonly allowAny = false,
  ) {
    for (const binding of bindings) {
      const hsmKeyLabel = binding.hsmKeyLabel;
      const kmsKeyArn = normaliseKeyArn(binding.kmsKeyArn);
      const existing = this.byLabel.get(hsmKeyLabel);
      if (existing && existing !== kmsKeyArn) {
        throw new InvalidWorkerBindingError(
          `HSM key "${hsmKeyLabel}" is bound to two KMS keys (${existing}, ${kmsKeyArn})`,
        );
      }
      this.byLabel.set(hsmKeyLabel, kmsKeyArn);
    }
  }

  get size(): number {
    return this.byLabel.size;
  }

  /**
   * How the worker's bindings cover `hsmKeyLabel` for the task's key `keyId` (an ARN), or
   * WorkerKeyNotBoundError. A 'rotation' grant still needs the journal's word (the caller's).
   */
  resolve(hsmKeyLabel: string, keyId: string): BindingGrant {
    const keyArn = ARN_PARTS.test(keyId) ? normaliseKeyArn(keyId) : keyId;
    const exact = this.byLabel.get(hsmKeyLabel);
    const base = baseHsmKeyLabel(hsmKeyLabel);
    const derived = base !== hsmKeyLabel ? this.byLabel.get(base) : undefined;
    const bound = exact ?? derived;
    const via = exact !== undefined ? 'exact' : 'rotation';
    if (bound === keyArn) return { keyArn, boundArn: bound, via };
    if (bound !== undefined && isReplicaArnOf(keyArn, bound)) {
      return { keyArn, boundArn: bound, via, replicaOf: bound };
    }
    if (this.allowAny && bound === undefined) return { keyArn, boundArn: keyArn, via: 'any' };
    throw new WorkerKeyNotBoundError(hsmKeyLabel, keyId, bound);
  }

  /** The bound KMS key ARNs (what the worker's IAM policy must name). */
  keyArns(): string[] {
    return [...new Set(this.byLabel.values())];
  }
}
