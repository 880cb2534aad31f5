// Strict parsers for every value a user gives byok: CLI options and the execution input's fields
// alike (src/onprem/cli/options.ts wraps them for commander, src/core/import/contracts.ts refines the zod
// schema with them), so both refuse the same things for the same reason. A value is accepted only
// if it means exactly what it says: a date that does not exist is refused rather than rolled over
// (JavaScript's Date turns 2027-02-30 into 2027-03-02), an empty or blank value is refused rather
// than ignored, and a label is taken as given, never trimmed. Dependency-free, so `--help` stays
// cheap.
import { isPrintableText } from './text.ts';

/** A parse outcome: the value, or a short problem phrased to follow "expected …"-free, e.g. "is empty". */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const refused = <T>(problem: string): Parsed<T> => ({ ok: false, problem });

/** The example every date problem shows. */
const ISO_INSTANT_EXAMPLE = '2027-06-30T00:00:00Z';

/**
 * `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)`: an absolute instant, at most millisecond precision (what
 * KMS and JavaScript keep). A bare date, a local time without offset and lower-case separators are
 * refused: each leaves the instant open to interpretation.
 */
const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|([+-])(\d{2}):(\d{2}))$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * An ISO 8601 instant that exists on the calendar and the clock, as a UTC ISO string
 * (`2027-06-30T02:00:00+02:00` gives `2027-06-30T00:00:00.000Z`). Refused, by what is wrong: a
 * day past the month's end (no rollover), hour 24, a leap second, an offset beyond ±23:59.
 */
export function parseIsoInstant(text: string): Parsed<string> {
  const match = ISO_INSTANT.exec(text);
  if (!match) return refused(`expected an ISO 8601 date and time, e.g. ${ISO_INSTANT_EXAMPLE}`);
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const millis = Number((match[7] ?? '').padEnd(3, '0'));
  if (month < 1 || month > 12) return refused(`month ${match[2]} does not exist`);
  if (day < 1 || day > daysInMonth(year, month)) {
    return refused(`${match[1]}-${match[2]}-${match[3]} does not exist (no day ${day} in that month)`);
  }
  if (hour > 23 || minute > 59 || second > 59) {
    return refused(`${match[4]}:${match[5]}:${match[6]} is not a time of day (00:00:00..23:59:59)`);
  }
  let offsetMinutes = 0;
  if (match[8] !== 'Z') {
    const offsetHours = Number(match[10]);
    const offsetRest = Number(match[11]);
    if (offsetHours > 23 || offsetRest > 59) return refused(`offset ${match[8]} is not a UTC offset`);
    offsetMinutes = (match[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetRest);
  }
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  const instant = utc.getTime() - offsetMinutes * 60_000;
  const date = new Date(instant);
  if (Number.isNaN(instant) || date.getUTCFullYear() < 1 || date.getUTCFullYear() > 9999) {
    return refused('is outside years 0001..9999');
  }
  return ok(date.toISOString());
}

/** Labels (HSM key labels): 1..128 characters, printable, taken exactly as given. */
export const MAX_LABEL_LENGTH = 128;

/**
 * A name that is matched exactly (an HSM key label): non-empty, printable, with no whitespace at
 * either end (a trailing space would make a second, different label that prints the same).
 */
export function parseLabel(text: string, maxLength = MAX_LABEL_LENGTH): Parsed<string> {
  if (text.length === 0) return refused('is empty');
  if (text.trim().length === 0) return refused('is blank');
  if (text.trim() !== text) return refused('starts or ends with whitespace');
  if (!isPrintableText(text))
    return refused('must be printable text (no control or bidirectional-override characters)');
  if (text.length > maxLength) return refused(`is longer than ${maxLength} characters`);
  return ok(text);
}

/** An import's reason: kept in logs and events. */
export const MAX_REASON_LENGTH = 256;

/** Free text that is kept and shown (an import's reason): non-blank, printable, bounded. */
export function parseText(text: string, maxLength: number): Parsed<string> {
  if (text.trim().length === 0) return refused(text.length === 0 ? 'is empty' : 'is blank');
  if (!isPrintableText(text))
    return refused('must be printable text (no control or bidirectional-override characters)');
  if (text.length > maxLength) return refused(`is longer than ${maxLength} characters`);
  return ok(text);
}

/** A required value that is used as given (a path, a host): only an empty or blank one is refused. */
export function parseNonBlank(text: string): Parsed<string> {
  if (text.length === 0) return refused('is empty');
  if (text.trim().length === 0) return refused('is blank');
  return ok(text);
}

/**
 * A whole number in min..max written in decimal digits (surrounding spaces allowed). `Number()`
 * alone would read "" as 0, "1e2" as 100 and "0x10" as 16.
 */
export function parseWholeNumberIn(text: string, min: number, max: number): Parsed<number> {
  const trimmed = text.trim();
  if (!/^\d{1,15}$/.test(trimmed)) return refused(`expected a whole number ${min}..${max}`);
  const value = Number(trimmed);
  if (value < min || value > max) return refused(`expected a whole number ${min}..${max}`);
  return ok(value);
}

/** An AWS Region name, e.g. us-east-1, eu-central-2, us-gov-west-1. */
export function parseRegionName(text: string): Parsed<string> {
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(text)) return refused('expected a Region such as us-east-1');
  return ok(text);
}

/**
 * A Step Functions execution name as AWS accepts it: 1..80 characters, none of whitespace,
 * brackets, wildcards, `"#%\^|~`$&,;:/` or control characters.
 */
export function parseExecutionName(text: string): Parsed<string> {
  if (text.length === 0) return refused('is empty');
  if (text.length > 80) return refused('is longer than 80 characters');
  if (/[\s<>{}[\]?*"#%\\^|~`$&,;:/]/u.test(text) || !isPrintableText(text)) {
    return refused('may not hold whitespace, brackets, wildcards or any of "#%\\^|~`$&,;:/');
  }
  return ok(text);
}

/** A Step Functions state machine ARN, in any partition. */
export function parseStateMachineArn(text: string): Parsed<string> {
  if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/.test(text)) {
    return refused('expected arn:aws:states:<region>:<account>:stateMachine:<name>');
  }
  return ok(text);
}
