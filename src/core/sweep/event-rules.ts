// deploy/event-rules.json is the one definition of byok's EventBridge rules: the deployed stack
// (serverless.yml, through deploy/event-rules.cjs) and the local stack both read it. This is the
// product-side reading of its shape; docs/scheduling.md describes it for people.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EventRulesDefinitionError } from './errors.ts';

const EVENT_RULES_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'deploy',
  'event-rules.json',
);

/** What a rule can start or notify, by the logical name the deployed stack gives it. */
const RuleTargetSchema = z.enum(['ReimportExpiringKeys', 'ImportKeyMaterial', 'AlertTopic']);

export const EventRuleSchema = z
  .strictObject({
    /** Deployed as `<service>-<stage>-<name>`; locally as `byok-<name>`. */
    name: z.string().regex(/^[a-z0-9-]{1,40}$/),
    description: z.string().max(512),
    scheduleExpression: z
      .string()
      .regex(/^(rate|cron)\(.+\)$/)
      .optional(),
    eventPattern: z.record(z.string(), z.unknown()).optional(),
    target: RuleTargetSchema,
    /** Constant input for the target (JSON). */
    input: z.record(z.string(), z.unknown()).optional(),
    /** EventBridge's InputTransformer, in the spelling serverless-step-functions uses. */
    inputTransformer: z
      .strictObject({
        inputPathsMap: z.record(z.string(), z.string().startsWith('$')),
        inputTemplate: z.string().min(1),
      })
      .optional(),
  })
  .superRefine((rule, ctx) => {
    if ((rule.scheduleExpression === undefined) === (rule.eventPattern === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give exactly one of scheduleExpression and eventPattern' });
    }
    if (rule.input !== undefined && rule.inputTransformer !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'input and inputTransformer are mutually exclusive' });
    }
  });
export type EventRule = z.infer<typeof EventRuleSchema>;

const EventRulesSchema = z.array(EventRuleSchema).min(1);

export function loadEventRules(file = EVENT_RULES_FILE): EventRule[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new EventRulesDefinitionError(file, 'cannot be read as JSON', { cause: error });
  }
  const parsed = EventRulesSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw new EventRulesDefinitionError(file, issues.join('; '));
  }
  const names = parsed.data.map((rule) => rule.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new EventRulesDefinitionError(file, `rule name ${duplicate} is used twice`);
  return parsed.data;
}

/** The schedule of the reimport sweep as deployed by default. */
export function sweepScheduleOf(rules: readonly EventRule[]): string | undefined {
  return rules.find((rule) => rule.target === 'ReimportExpiringKeys' && rule.scheduleExpression)
    ?.scheduleExpression;
}
