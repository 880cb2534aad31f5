import { describe, expect, it } from 'vitest';
import { ScheduleExpressionError } from '../../../../src/local/events/errors.ts';
import { nextFireTime, parseScheduleExpression } from '../../../../src/local/events/schedule-expression.ts';

const ANCHOR = new Date('2026-01-01T00:00:00.000Z'); // a Thursday

function nextThree(expression: string, from = ANCHOR): string[] {
  const schedule = parseScheduleExpression(expression);
  const fires: string[] = [];
  let after = from;
  for (let i = 0; i < 3; i++) {
    const next = nextFireTime(schedule, ANCHOR, after);
    if (!next) break;
    fires.push(next.toISOString());
    after = next;
  }
  return fires;
}

describe('schedule expressions', () => {
  it.each([
    ['rate(1 day)', ['2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z', '2026-01-04T00:00:00.000Z']],
    ['rate(6 hours)', ['2026-01-01T06:00:00.000Z', '2026-01-01T12:00:00.000Z', '2026-01-01T18:00:00.000Z']],
    [
      'cron(0 3 * * ? *)',
      ['2026-01-01T03:00:00.000Z', '2026-01-02T03:00:00.000Z', '2026-01-03T03:00:00.000Z'],
    ],
    [
      'cron(0 12 ? * MON-FRI *)',
      ['2026-01-01T12:00:00.000Z', '2026-01-02T12:00:00.000Z', '2026-01-05T12:00:00.000Z'],
    ],
    // AWS numbers weekdays from 1 = Sunday: 6L is the last Friday, 2#1 the first Monday.
    [
      'cron(15 10 ? * 6L 2027)',
      ['2027-01-29T10:15:00.000Z', '2027-02-26T10:15:00.000Z', '2027-03-26T10:15:00.000Z'],
    ],
    [
      'cron(0 8 ? * 2#1 *)',
      ['2026-01-05T08:00:00.000Z', '2026-02-02T08:00:00.000Z', '2026-03-02T08:00:00.000Z'],
    ],
    [
      'cron(0 0 L * ? *)',
      ['2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z', '2026-03-31T00:00:00.000Z'],
    ],
  ])('%s fires at the right instants in UTC', (expression, expected) => {
    // Act
    const fires = nextThree(expression);

    // Assess
    expect(fires).toEqual(expected);
  });

  it('counts rate periods from the anchor, not from the moment asked', () => {
    // Prepare
    const schedule = parseScheduleExpression('rate(1 day)');

    // Act
    const next = nextFireTime(schedule, ANCHOR, new Date('2026-03-10T17:45:00.000Z'));

    // Assess
    expect(next?.toISOString()).toBe('2026-03-11T00:00:00.000Z');
  });

  it('returns no fire time after the last year of a cron', () => {
    // Act
    const next = nextFireTime(
      parseScheduleExpression('cron(0 0 1 1 ? 2026)'),
      ANCHOR,
      new Date('2026-06-01T00:00:00Z'),
    );

    // Assess
    expect(next).toBeUndefined();
  });

  it.each([
    'rate(1 days)',
    'rate(2 hour)',
    'rate(0 minutes)',
    'rate(1 second)',
    'cron(0 3 * * * *)',
    'cron(0 3 ? * ? *)',
    'cron(0 3 * * ?)',
    'cron(99 3 * * ? *)',
    'every day',
  ])('refuses %s', (expression) => {
    // Act
    const parse = () => parseScheduleExpression(expression);

    // Assess
    expect(parse).toThrow(ScheduleExpressionError);
  });
});
