// What a binding is: an administrator's record that the material of one HSM key (by label) may be
// imported into one KMS key (by ARN). Both stores (the deployed DynamoDB table, the local stack's
// bindings.json) hold these records and nothing else; each record is checked against this schema
// whenever it is read, so a record nobody could have written through byok is refused, not used.
import { z } from 'zod';
import { parseLabel } from '../shared/parse.ts';
import { isPrintableText } from '../shared/text.ts';

/** A KMS key ARN in any partition: `arn:aws:kms:<region>:<account>:key/<key id or mrk-…>`. */
export const KMS_KEY_ARN_PATTERN =
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

const BindingLabelSchema = z.string().superRefine((value, ctx) => {
  const parsed = parseLabel(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `the HSM key label ${parsed.problem}` });
});

const BindingKeyArnSchema = z
  .string()
  .regex(KMS_KEY_ARN_PATTERN, 'must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)');

export const BindingSchema = z.strictObject({
  hsmKeyLabel: BindingLabelSchema,
  keyArn: BindingKeyArnSchema,
  /** When it was recorded (ISO 8601). */
  createdAt: z.iso.datetime({ offset: true }),
  /** Who recorded it, as far as the recording tool knew (the caller's ARN, or the local access key id). */
  createdBy: z.string().min(1).max(2048).refine(isPrintableText, 'must be printable text').optional(),
});
export type Binding = z.infer<typeof BindingSchema>;
