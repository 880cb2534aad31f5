// The strict parsers every user-given value goes through (CLI options and the execution input):
// examples of what the issue found (a day that does not exist rolled over, an empty label
// ignored), and properties checked with fast-check over many strings: a date or a label is
// accepted only if it round-trips exactly. Bounded and seeded here; BYOK_FUZZ_RUNS raises the runs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ImportExecutionInputSchema } from '../../../../src/core/import/contracts.ts';
import {
  parseExecutionName,
  parseIsoInstant,
  parseLabel,
  parseNonBlank,
  parseText,
  parseWholeNumberIn,
} from '../../../../src/core/shared/parse.ts';

const RUNS = Number(process.env.BYOK_FUZZ_RUNS ?? 400);
const SEED = Number(process.env.BYOK_FUZZ_SEED ?? 13);
const settings = { numRuns: RUNS, seed: SEED, endOnFailure: true };
const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';

/** An independent calendar oracle: the days of each month, leap years by the Gregorian rule. */
function realDays(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

describe('parseIsoInstant', () => {
  it.each([
    ['2027-02-30T00:00:00Z', '2027-02-30 does not exist'],
    ['2027-02-29T00:00:00Z', '2027-02-29 does not exist'],
    ['2027-04-31T12:00:00+02:00', '2027-04-31 does not exist'],
    ['2027-00-10T00:00:00Z', 'month 00 does not exist'],
    ['2027-06-30T24:00:00Z', 'is not a time of day'],
    ['2027-06-30T23:59:60Z', 'is not a time of day'],
    ['2027-06-30T00:00:00+24:00', 'is not a UTC offset'],
  ])('refuses %s by name instead of rolling it over', (text, problem) => {
    // Act
    const parsed = parseIsoInstant(text);

    // Assess
    expect(parsed).toEqual({ ok: false, problem: expect.stringContaining(problem) });
  });

  it.each([
    '',
    ' 2027-06-30T00:00:00Z',
    '2027-06-30',
    '2027-06-30T00:00:00',
    '2027-06-30t00:00:00z',
    '2027-06-30T00:00:00.1234Z',
    '+2027-06-30T00:00:00Z',
  ])('refuses %j: no offset, not ISO 8601 or finer than milliseconds', (text) => {
    // Act
    const parsed = parseIsoInstant(text);

    // Assess
    expect(parsed.ok).toBe(false);
  });

  it.each([
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['2027-06-30T02:00:00+02:00', '2027-06-30T00:00:00.000Z'],
    ['2027-06-30T23:30:00.5-01:30', '2027-07-01T01:00:00.500Z'],
  ])('accepts %s as the instant %s', (text, instant) => {
    // Act
    const parsed = parseIsoInstant(text);

    // Assess
    expect(parsed).toEqual({ ok: true, value: instant });
  });

  it('accepts any string only if its fields are a real date and time, and gives back exactly that instant', () => {
    // Prepare: field values around and past every limit, written as the format asks
    const fields = fc.record({
      year: fc.integer({ min: 1, max: 9998 }),
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      hour: fc.integer({ min: 0, max: 25 }),
      minute: fc.integer({ min: 0, max: 61 }),
      second: fc.integer({ min: 0, max: 61 }),
      offset: fc.constantFrom('Z', '+00:00', '+02:00', '-05:30', '+14:00'),
    });

    // Act + Assess
    fc.assert(
      fc.property(fields, ({ year, month, day, hour, minute, second, offset }) => {
        const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${offset}`;
        const parsed = parseIsoInstant(text);
        const real =
          month >= 1 &&
          month <= 12 &&
          day >= 1 &&
          day <= realDays(year, month) &&
          hour <= 23 &&
          minute <= 59 &&
          second <= 59;
        expect(parsed.ok).toBe(real);
        if (!parsed.ok) return;
        // Round trip: the instant shown in the given offset has exactly the fields given.
        const sign = offset === 'Z' ? 1 : offset.startsWith('-') ? -1 : 1;
        const offsetMinutes =
          offset === 'Z' ? 0 : sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
        const local = new Date(new Date(parsed.value).getTime() + offsetMinutes * 60_000);
        expect(local.toISOString().slice(0, 19)).toBe(text.slice(0, 19));
      }),
      settings,
    );
  });

  it('accepts every instant JavaScript writes, unchanged, and nothing else that Date would read differently', () => {
    // Prepare
    const instants = fc.date({
      min: new Date('0001-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    });

    // Act + Assess
    fc.assert(
      fc.property(instants, (date) => {
        expect(parseIsoInstant(date.toISOString())).toEqual({ ok: true, value: date.toISOString() });
      }),
      settings,
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (text) => {
        const parsed = parseIsoInstant(text);
        if (parsed.ok) expect(new Date(text).toISOString()).toBe(parsed.value);
      }),
      settings,
    );
  });
});

describe('parseLabel', () => {
  it.each([
    ['', 'is empty'],
    ['   ', 'is blank'],
    [' payments', 'starts or ends with whitespace'],
    ['payments\n', 'starts or ends with whitespace'],
    ['pay\u202ements', 'must be printable text'],
    ['x'.repeat(129), 'is longer than 128 characters'],
  ])('refuses %j by name', (text, problem) => {
    // Act
    const parsed = parseLabel(text);

    // Assess
    expect(parsed).toEqual({ ok: false, problem: expect.stringContaining(problem) });
  });

  it('accepts a string only as exactly itself, and then the execution input accepts it too', () => {
    // Act + Assess
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 140 }), fc.string({ unit: 'grapheme', maxLength: 20 })),
        (text) => {
          const parsed = parseLabel(text);
          const schema = ImportExecutionInputSchema.safeParse({ keyId: KEY, hsmKeyLabel: text });
          expect(schema.success).toBe(parsed.ok);
          if (parsed.ok) {
            expect(parsed.value).toBe(text);
            expect(schema.data?.hsmKeyLabel).toBe(text);
          }
        },
      ),
      settings,
    );
  });
});

describe('the execution input', () => {
  it('accepts a validTo only if the CLI parser does, and keeps it as given', () => {
    // Prepare
    const near = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc
        .tuple(
          fc.integer({ min: 2020, max: 2030 }),
          fc.integer({ min: 0, max: 13 }),
          fc.integer({ min: 0, max: 32 }),
        )
        .map(([year, month, day]) => `${year}-${pad(month)}-${pad(day)}T00:00:00Z`),
    );

    // Act + Assess
    fc.assert(
      fc.property(near, (text) => {
        const schema = ImportExecutionInputSchema.safeParse({ keyId: KEY, validTo: text });
        expect(schema.success).toBe(parseIsoInstant(text).ok);
        if (schema.success) expect(schema.data.validTo).toBe(text);
      }),
      settings,
    );
  });

  it.each([
    [{ hsmKeyLabel: '' }, 'hsmKeyLabel'],
    [{ hsmKeyLabel: ' payments' }, 'hsmKeyLabel: starts or ends with whitespace'],
    [{ reason: '' }, 'reason'],
    [{ reason: '   ' }, 'reason: is blank'],
    [{ validTo: '2027-02-30T00:00:00Z' }, 'validTo'],
  ])('refuses %j', (fields, path) => {
    // Act
    const parsed = ImportExecutionInputSchema.safeParse({ keyId: KEY, ...fields });

    // Assess
    expect(parsed.success).toBe(false);
    expect(
      parsed.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
    ).toContain(path);
  });
});

describe('the other parsers', () => {
  it.each([
    ['', false],
    ['0x10', false],
    ['1e2', false],
    ['-1', false],
    ['12', true],
    [' 12 ', true],
  ])('parseWholeNumberIn(%j, 0, 65535) accepts: %s', (text, accepted) => {
    // Act
    const parsed = parseWholeNumberIn(text, 0, 65535);

    // Assess
    expect(parsed.ok).toBe(accepted);
  });

  it('parseWholeNumberIn accepts exactly the decimal numbers in range', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), (text) => {
        const parsed = parseWholeNumberIn(text, 1, 365);
        const expected = /^\s*\d+\s*$/.test(text) && Number(text) >= 1 && Number(text) <= 365;
        expect(parsed.ok).toBe(expected);
        if (parsed.ok) expect(parsed.value).toBe(Number(text.trim()));
      }),
      settings,
    );
  });

  it.each([
    [parseNonBlank, ''],
    [parseNonBlank, ' \t'],
    [(text: string) => parseText(text, 256), ''],
    [parseExecutionName, ''],
    [parseExecutionName, 'has space'],
    [parseExecutionName, 'a:b'],
  ])('%o refuses %j', (parse, text) => {
    // Act
    const parsed = parse(text);

    // Assess
    expect(parsed.ok).toBe(false);
  });
});
