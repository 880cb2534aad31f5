// The worker's allowlist: which HSM key (by label) it may wrap for which KMS key (by ARN). It comes
// only from the worker's own configuration (--bind, a bindings file), never from a task, so a task
// that pairs an HSM key with any other KMS key is refused however the AWS side was told to ask.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { isPrintableText } from '../../core/shared/text.ts';
import { InvalidWorkerBindingError, WorkerKeyNotBoundError } from './errors.ts';

const KMS_KEY_ARN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

export interface KeyBinding {
  hsmKeyLabel: string;
  kmsKeyArn: string;
}

const BindingSchema = z.strictObject({
  hsmKeyLabel: z.string().min(1).max(128).refine(isPrintableText, 'must be printable text'),
  kmsKeyArn: z.string().regex(KMS_KEY_ARN, 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)'),
});
const BindingsFileSchema = z.strictObject({ bindings: z.array(BindingSchema) });

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
  return parsed.data;
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
  return parsed.data.bindings;
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

/**
 * One KMS key per HSM key label. A binding `LABEL=KEY_ARN` also covers the keys the rotations of
 * that KMS key make in the HSM (`LABEL-r<n>-<request>`, see baseHsmKeyLabel): the KMS key stays
 * the same, so the worker may make, wrap and retire its new material without a new binding.
 */
export class KeyBindings {
  private readonly byLabel = new Map<string, string>();

  constructor(
    bindings: readonly KeyBinding[],
    /** Development only: wrap any HSM key for any KMS key the task names. */
    readonly allowAny = false,
  ) {
    for (const { hsmKeyLabel, kmsKeyArn } of bindings) {
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

  /** The KMS key ARN the worker may wrap `hsmKeyLabel` for, or WorkerKeyNotBoundError. */
  require(hsmKeyLabel: string, keyId: string): string {
    const bound = this.byLabel.get(hsmKeyLabel) ?? this.byLabel.get(baseHsmKeyLabel(hsmKeyLabel));
    if (bound === keyId) return bound;
    if (this.allowAny && bound === undefined) return keyId;
    throw new WorkerKeyNotBoundError(hsmKeyLabel, keyId, bound);
  }

  /** The bound KMS key ARNs (what the worker's IAM policy must name). */
  keyArns(): string[] {
    return [...new Set(this.byLabel.values())];
  }
}
