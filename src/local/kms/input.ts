// Reading request members the way AWS validates them: missing required members, enum values and
// lengths answer with AWS's `1 validation error detected: ...` ValidationException texts.
import { AwsServiceError } from '../protocol.ts';

type Input = Record<string, unknown>;

function camel(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

export function validationError(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message);
}

function mustNotBeNull(member: string): AwsServiceError {
  return validationError(
    `1 validation error detected: Value null at '${camel(member)}' failed to satisfy constraint: Member must not be null`,
  );
}

export function requiredString(input: Input, member: string): string {
  const value = input[member];
  if (value === undefined || value === null) throw mustNotBeNull(member);
  if (typeof value !== 'string') throw serialization(member);
  if (value.length === 0) {
    throw validationError(
      `1 validation error detected: Value '' at '${camel(member)}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  }
  return value;
}

export function optionalString(input: Input, member: string, maxLength?: number): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw serialization(member);
  if (maxLength !== undefined && value.length > maxLength) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${camel(member)}' failed to satisfy constraint: Member must have length less than or equal to ${maxLength}`,
    );
  }
  return value;
}

export function optionalEnum<T extends string>(
  input: Input,
  member: string,
  values: readonly T[],
): T | undefined {
  const value = optionalString(input, member);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${camel(member)}' failed to satisfy constraint: Member must satisfy enum value set: [${values.join(', ')}]`,
    );
  }
  return value as T;
}

export function requiredEnum<T extends string>(input: Input, member: string, values: readonly T[]): T {
  const value = optionalEnum(input, member, values);
  if (value === undefined) throw mustNotBeNull(member);
  return value;
}

export function optionalBoolean(input: Input, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw serialization(member);
  return value;
}

export function optionalInteger(input: Input, member: string, min: number, max: number): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw serialization(member);
  if (value < min) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${camel(member)}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`,
    );
  }
  if (value > max) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${camel(member)}' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    );
  }
  return value;
}

/** Blobs arrive base64-encoded; lengths are checked on the decoded bytes, values never echoed. */
function optionalBlob(input: Input, member: string, maxBytes: number): Buffer | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) throw serialization(member);
  const bytes = Buffer.from(value, 'base64');
  if (bytes.length < 1) {
    throw validationError(
      `1 validation error detected: Value at '${camel(member)}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  }
  if (bytes.length > maxBytes) {
    throw validationError(
      `1 validation error detected: Value at '${camel(member)}' failed to satisfy constraint: Member must have length less than or equal to ${maxBytes}`,
    );
  }
  return bytes;
}

export function requiredBlob(input: Input, member: string, maxBytes: number): Buffer {
  const value = optionalBlob(input, member, maxBytes);
  if (value === undefined) throw mustNotBeNull(member);
  return value;
}

/** Timestamps arrive as epoch seconds (SDKs, CLI) or, leniently, as ISO 8601 strings. */
export function optionalTimestamp(input: Input, member: string): Date | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  const date =
    typeof value === 'number'
      ? new Date(value * 1000)
      : typeof value === 'string'
        ? new Date(value)
        : undefined;
  if (!date || Number.isNaN(date.getTime())) throw serialization(member);
  return date;
}

export function optionalStringMap(input: Input, member: string): Record<string, string> | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw serialization(member);
  for (const entry of Object.values(value)) if (typeof entry !== 'string') throw serialization(member);
  return value as Record<string, string>;
}

export function optionalStringList(input: Input, member: string): string[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string')) throw serialization(member);
  return value as string[];
}

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export function optionalTags(input: Input, member: string): Tag[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw serialization(member);
  return value.map((entry: unknown) => {
    const tag = entry as Partial<Tag> | null;
    if (!tag || typeof tag.TagKey !== 'string' || typeof tag.TagValue !== 'string')
      throw serialization(member);
    if (tag.TagKey.length < 1 || tag.TagKey.length > 128 || tag.TagValue.length > 256) {
      throw new AwsServiceError(
        'TagException',
        'Tag keys must be 1 to 128 and tag values 0 to 256 characters long.',
      );
    }
    return { TagKey: tag.TagKey, TagValue: tag.TagValue };
  });
}

function serialization(member: string): AwsServiceError {
  return new AwsServiceError('SerializationException', `Unexpected value type for member ${member}`);
}
