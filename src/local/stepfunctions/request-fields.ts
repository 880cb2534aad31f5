// StartExecution's (and the other operations') request members checked as Step Functions checks
// them: model constraints (required, string, length) answer ValidationException in AWS's
// "1 validation error detected: ..." style, a name with characters Step Functions refuses answers
// InvalidName, and input that is not JSON answers InvalidExecutionInput. JSON null is an absent
// member, as in AWS's JSON protocols.
import { AwsServiceError } from '../protocol.ts';

/** Step Functions' limit on execution input: 256 KiB of UTF-8. */
const MAX_INPUT_BYTES = 256 * 1024;
const MAX_ARN_LENGTH = 256;
/** Characters Step Functions refuses in names, besides control characters. */
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

function validationError(member: string, constraint: string, shownValue?: string): AwsServiceError {
  const value = shownValue === undefined ? 'Value' : `Value ${shownValue}`;
  return new AwsServiceError(
    'ValidationException',
    `1 validation error detected: ${value} at '${member}' failed to satisfy constraint: ${constraint}`,
  );
}

/** A string member (or undefined when absent); other JSON types are refused. */
function optionalStringMember(
  input: Record<string, unknown>,
  member: string,
  maxLength: number,
  options: { sensitive?: boolean } = {},
): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(member, 'Member must be a string');
  const length = options.sensitive ? Buffer.byteLength(value) : value.length;
  if (length > maxLength) {
    throw validationError(
      member,
      `Member must have length less than or equal to ${maxLength}`,
      options.sensitive ? undefined : `'${value}'`,
    );
  }
  return value;
}

/** A required string member of 1..maxLength characters. */
export function requiredStringMember(
  input: Record<string, unknown>,
  member: string,
  maxLength = MAX_ARN_LENGTH,
): string {
  const value = optionalStringMember(input, member, maxLength);
  if (value === undefined) throw validationError(member, 'Member must not be null', 'null');
  if (value === '') {
    throw validationError(member, 'Member must have length greater than or equal to 1', "''");
  }
  return value;
}

function isValidName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || FORBIDDEN_NAME_CHARACTERS.test(name)) return false;
  for (const character of name) {
    const code = character.codePointAt(0) ?? 0;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f)) return false;
  }
  return true;
}

export interface StartExecutionRequest {
  stateMachineArn: string;
  /** Undefined when the caller gave none (a UUID is chosen). */
  name: string | undefined;
  inputText: string;
  input: unknown;
}

/** StartExecution's members, checked in the order Step Functions reports them. */
export function readStartExecution(input: Record<string, unknown>): StartExecutionRequest {
  const stateMachineArn = requiredStringMember(input, 'stateMachineArn');
  const rawName = input.name;
  let name: string | undefined;
  if (rawName !== undefined && rawName !== null) {
    if (typeof rawName !== 'string') throw validationError('name', 'Member must be a string');
    if (!isValidName(rawName)) throw new AwsServiceError('InvalidName', `Invalid Name: '${rawName}'`);
    name = rawName;
  }
  optionalStringMember(input, 'traceHeader', 256);
  const inputText = optionalStringMember(input, 'input', MAX_INPUT_BYTES, { sensitive: true }) ?? '{}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(inputText);
  } catch {
    throw new AwsServiceError(
      'InvalidExecutionInput',
      "Invalid State Machine Execution Input: 'Unexpected token'",
    );
  }
  return { stateMachineArn, name, inputText, input: parsed };
}
