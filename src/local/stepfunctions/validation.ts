// Request validation shared by the local Step Functions API's operations, worded as AWS words it.
import { AwsServiceError } from '../protocol.ts';

/** Characters Step Functions refuses in names, besides control characters. */
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

export function isValidName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || FORBIDDEN_NAME_CHARACTERS.test(name)) return false;
  for (const character of name) {
    const code = character.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return false;
  }
  return true;
}

export function requireString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

/** An optional string field of at most `max` characters (AWS's length constraint). */
export function optionalString(
  input: Record<string, unknown>,
  field: string,
  max: number,
): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new AwsServiceError(
      'SerializationException',
      `STRING_VALUE can not be converted to a String (field '${field}')`,
    );
  }
  checkLength(field, value, max);
  return value;
}

export function checkLength(field: string, value: string, max: number): void {
  if (value.length > max) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
}

export function pageOf<T>(items: T[], input: Record<string, unknown>): { page: T[]; nextToken?: string } {
  const maxResults =
    input.maxResults === undefined || input.maxResults === 0 ? 100 : Number(input.maxResults);
  if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
    throw new AwsServiceError('ValidationException', 'maxResults must be between 0 and 1000');
  }
  let start = 0;
  if (input.nextToken !== undefined) {
    start = Number.parseInt(Buffer.from(String(input.nextToken), 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(start) || start < 0 || start > items.length) {
      throw new AwsServiceError('InvalidToken', 'Invalid Token');
    }
  }
  const page = items.slice(start, start + maxResults);
  const next = start + page.length;
  return next < items.length
    ? { page, nextToken: Buffer.from(String(next)).toString('base64url') }
    : { page };
}
