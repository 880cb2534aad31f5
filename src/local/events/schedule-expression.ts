// EventBridge schedule expressions: `rate(value unit)` and AWS's six-field `cron(minutes hours
// day-of-month month day-of-week year)`, always in UTC. croner parses AWS's cron dialect when it
// is given a seconds field and AWS's weekday numbering (1 = Sunday).
import { Cron } from 'croner';
import { ScheduleExpressionError } from './errors.ts';

export type Schedule =
  | { readonly kind: 'rate'; readonly expression: string; readonly periodMs: number }
  | { readonly kind: 'cron'; readonly expression: string; readonly cron: Cron };

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

export function parseScheduleExpression(expression: string): Schedule {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] as string;
    const base = unit.replace(/s$/, '') as keyof typeof UNIT_MS;
    if (value < 1) {
      throw new ScheduleExpressionError(
        expression,
        'Parameter ScheduleExpression is not valid: the rate must be positive.',
      );
    }
    if (unit.endsWith('s') === (value === 1)) {
      const expected = value === 1 ? base : `${base}s`;
      throw new ScheduleExpressionError(
        expression,
        `Parameter ScheduleExpression is not valid: write rate(${value} ${expected}).`,
      );
    }
    return { kind: 'rate', expression, periodMs: value * UNIT_MS[base] };
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return { kind: 'cron', expression, cron: parseAwsCron(expression, (cron[1] as string).trim()) };
  throw new ScheduleExpressionError(expression, 'Parameter ScheduleExpression is not valid.');
}

function parseAwsCron(expression: string, fields: string): Cron {
  const parts = fields.split(/\s+/);
  if (parts.length !== 6) {
    throw new ScheduleExpressionError(
      expression,
      'Parameter ScheduleExpression is not valid: cron() needs six fields.',
    );
  }
  const [, , dayOfMonth, , dayOfWeek] = parts;
  // AWS requires exactly one of the two day fields to be '?'.
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    throw new ScheduleExpressionError(
      expression,
      'Parameter ScheduleExpression is not valid: exactly one of day-of-month and day-of-week must be "?".',
    );
  }
  try {
    return new Cron(`0 ${parts.join(' ')}`, {
      mode: '7-part',
      alternativeWeekdays: true,
      sloppyRanges: true,
      timezone: 'UTC',
      paused: true,
    });
  } catch (error) {
    throw new ScheduleExpressionError(expression, 'Parameter ScheduleExpression is not valid.', {
      cause: error,
    });
  }
}

/**
 * The first fire time strictly after `after`. A rate schedule counts periods from `anchor` (when
 * the rule was created or last enabled), as EventBridge does.
 */
export function nextFireTime(schedule: Schedule, anchor: Date, after: Date): Date | undefined {
  if (schedule.kind === 'rate') {
    const elapsed = after.getTime() - anchor.getTime();
    const periods = elapsed < 0 ? 0 : Math.floor(elapsed / schedule.periodMs) + 1;
    return new Date(anchor.getTime() + periods * schedule.periodMs);
  }
  return schedule.cron.nextRun(after) ?? undefined;
}
