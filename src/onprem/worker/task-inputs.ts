// Every task the worker takes is bounded before anything about it is logged, evented or used: the
// fields that name things (HSM key labels, KMS key ARNs, the request id, the execution) must be in
// their formats, or the task is refused as WorkerTaskInputError without any of its values in the
// log line, the answer or the alert. Any state machine in the account can send tasks to byok's
// activities, so a task's text is untrusted: a 200 KB "label" must not reach a log.
// The step's own schema (the same as the Lambda's) is applied after these bounds.
import { z } from 'zod';
import { isPrintableText } from '../../core/shared/text.ts';
import { describeIssues } from '../../core/step-kernel/issues.ts';
import { WorkerTaskInputError } from './errors.ts';

/** The longest HSM key label byok makes or accepts (PKCS#11 CKA_LABEL as byok uses it). */
const MAX_HSM_KEY_LABEL_LENGTH = 128;
/** A task text the worker reads at all (Step Functions caps task input at 256 KiB). */
const MAX_TASK_INPUT_CHARACTERS = 256 * 1024;
const MAX_ISSUES = 8;

const KEY_ID = '(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})';
const KMS_KEY_ARN_PATTERN = new RegExp(`^arn:aws[a-z-]*:kms:[a-z0-9-]{1,32}:\\d{12}:key/${KEY_ID}$`);
const KMS_KEY_ID_PATTERN = new RegExp(`^${KEY_ID}$`);
const EXECUTION_ARN_PATTERN =
  /^arn:aws[a-z-]*:states:[a-z0-9-]{1,32}:\d{12}:execution:[A-Za-z0-9_.-]{1,80}:[A-Za-z0-9_.-]{1,80}$/;

const HsmKeyLabelSchema = z
  .string()
  .min(1)
  .max(MAX_HSM_KEY_LABEL_LENGTH)
  .refine(isPrintableText, 'must be printable text');
const KmsKeyArnSchema = z
  .string()
  .max(2048)
  .regex(KMS_KEY_ARN_PATTERN, 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)');
const KmsKeyIdOrArnSchema = z
  .string()
  .max(2048)
  .refine(
    (value) => KMS_KEY_ARN_PATTERN.test(value) || KMS_KEY_ID_PATTERN.test(value),
    'must be a KMS key ARN or key id',
  );
const RequestIdSchema = z.uuid('must be a UUID');
const ExecutionArnSchema = z
  .string()
  .max(2048)
  .regex(EXECUTION_ARN_PATTERN, 'must be a Step Functions execution ARN');

const WrapBounds = z.object({
  importParameters: z.object({ keyId: KmsKeyArnSchema, hsmKeyLabel: HsmKeyLabelSchema }),
  executionId: ExecutionArnSchema.optional(),
});
const CreateBounds = z.object({
  rotation: z.object({
    requestId: RequestIdSchema,
    keyArn: KmsKeyArnSchema,
    keyId: KmsKeyIdOrArnSchema,
    currentHsmKeyLabel: HsmKeyLabelSchema,
    newHsmKeyLabel: HsmKeyLabelSchema,
    replicaArns: z.array(KmsKeyArnSchema).max(32),
  }),
});
const RetireBounds = z.object({
  abandoned: z.object({
    requestId: RequestIdSchema.nullable(),
    keyId: KmsKeyIdOrArnSchema.nullable(),
    hsmKeyLabel: HsmKeyLabelSchema.nullable(),
    error: z.string().max(256),
    cause: z.string().max(32_768),
  }),
});

export const TASK_BOUNDS = {
  WrapKeyMaterial: WrapBounds,
  CreateRotationMaterial: CreateBounds,
  RetireRotationMaterial: RetireBounds,
} as const;
export type BoundedStep = keyof typeof TASK_BOUNDS;

/**
 * The task's input, bounded (TASK_BOUNDS[step]) and then parsed with the step's own schema;
 * WorkerTaskInputError naming the fields (never their values) otherwise.
 */
export function parseBoundedTaskInput<T>(step: BoundedStep, schema: z.ZodType<T>, inputText: string): T {
  if (inputText.length > MAX_TASK_INPUT_CHARACTERS) {
    throw new WorkerTaskInputError([`(input): longer than ${MAX_TASK_INPUT_CHARACTERS} characters`], step);
  }
  let json: unknown;
  try {
    json = JSON.parse(inputText);
  } catch {
    throw new WorkerTaskInputError(['not JSON'], step);
  }
  const bounded = TASK_BOUNDS[step].safeParse(json);
  if (!bounded.success) throw new WorkerTaskInputError(issuesOf(bounded.error), step);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new WorkerTaskInputError(issuesOf(parsed.error), step);
  return parsed.data;
}

function issuesOf(error: z.ZodError): string[] {
  const issues = describeIssues(error).map((issue) =>
    issue.length > 200 ? `${issue.slice(0, 200)}…` : issue,
  );
  return issues.length > MAX_ISSUES
    ? [...issues.slice(0, MAX_ISSUES), `and ${issues.length - MAX_ISSUES} more`]
    : issues;
}
