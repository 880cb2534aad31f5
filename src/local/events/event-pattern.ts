// EventBridge event patterns: this is our own reading of AWS's "Content filtering in event
// patterns". A pattern mirrors the event's shape; every leaf is an array of alternatives; a field
// that is an array in the event matches when any of its elements matches.
import { EventPatternSyntaxError } from './errors.ts';

export type EventPattern = { readonly [field: string]: PatternNode };
type PatternNode = EventPattern | readonly Matcher[] | readonly EventPattern[];
type Matcher = string | number | boolean | null | { readonly [operator: string]: unknown };

const KNOWN_OPERATORS = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'anything-but',
  'numeric',
  'exists',
  'wildcard',
  'cidr',
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses and checks a pattern the way PutRule does; throws EventPatternSyntaxError otherwise. */
export function parseEventPattern(text: string): EventPattern {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new EventPatternSyntaxError('Event pattern is not valid JSON.', { cause: error });
  }
  if (!isPlainObject(parsed)) throw new EventPatternSyntaxError('Event pattern must be a JSON object.');
  checkPatternObject(parsed, '');
  return parsed as EventPattern;
}

function checkPatternObject(pattern: Record<string, unknown>, path: string): void {
  if (Object.keys(pattern).length === 0 && path !== '') {
    throw new EventPatternSyntaxError(`Empty objects are not allowed at "${path}".`);
  }
  for (const [field, node] of Object.entries(pattern)) {
    const at = path ? `${path}.${field}` : field;
    if (field === '$or') {
      if (!Array.isArray(node) || node.length < 2 || !node.every(isPlainObject)) {
        throw new EventPatternSyntaxError(`"$or" at "${at}" must be an array of at least two objects.`);
      }
      for (const branch of node) checkPatternObject(branch, at);
    } else if (Array.isArray(node)) {
      if (node.length === 0) throw new EventPatternSyntaxError(`Empty arrays are not allowed at "${at}".`);
      for (const matcher of node) checkMatcher(matcher, at);
    } else if (isPlainObject(node)) {
      checkPatternObject(node, at);
    } else {
      throw new EventPatternSyntaxError(`"${at}" must be an object or an array.`);
    }
  }
}

function checkMatcher(matcher: unknown, at: string): void {
  if (matcher === null || ['string', 'number', 'boolean'].includes(typeof matcher)) return;
  if (!isPlainObject(matcher)) throw new EventPatternSyntaxError(`Unsupported value in "${at}".`);
  const operators = Object.keys(matcher);
  const operator = operators[0];
  if (operators.length !== 1 || operator === undefined || !KNOWN_OPERATORS.has(operator)) {
    throw new EventPatternSyntaxError(`Unrecognized match type ${operators.join(', ')} in "${at}".`);
  }
  const argument = matcher[operator];
  switch (operator) {
    case 'exists':
      if (typeof argument !== 'boolean')
        throw new EventPatternSyntaxError(`exists must be a boolean in "${at}".`);
      return;
    case 'numeric':
      checkNumeric(argument, at);
      return;
    case 'anything-but':
      if (isPlainObject(argument)) {
        const [inner] = Object.keys(argument);
        if (
          Object.keys(argument).length !== 1 ||
          !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(inner ?? '')
        ) {
          throw new EventPatternSyntaxError(`Unsupported anything-but operator in "${at}".`);
        }
        return;
      }
      if (Array.isArray(argument) && argument.length === 0) {
        throw new EventPatternSyntaxError(`anything-but needs at least one value in "${at}".`);
      }
      return;
    default:
      if (operator === 'prefix' || operator === 'suffix') {
        if (typeof argument === 'string') return;
        if (isPlainObject(argument) && typeof argument['equals-ignore-case'] === 'string') return;
      } else if (typeof argument === 'string') {
        return;
      }
      throw new EventPatternSyntaxError(`${operator} match pattern must be a string in "${at}".`);
  }
}

function checkNumeric(argument: unknown, at: string): void {
  if (!Array.isArray(argument) || argument.length === 0 || argument.length % 2 !== 0 || argument.length > 4) {
    throw new EventPatternSyntaxError(`numeric needs one or two [operator, number] pairs in "${at}".`);
  }
  for (let i = 0; i < argument.length; i += 2) {
    if (!['<', '<=', '=', '>', '>='].includes(argument[i]) || typeof argument[i + 1] !== 'number') {
      throw new EventPatternSyntaxError(`Bad numeric comparison in "${at}".`);
    }
  }
}

/** Whether `event` (a parsed JSON event) matches `pattern`. */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, event);
}

function matchObject(pattern: EventPattern, value: unknown): boolean {
  for (const [field, node] of Object.entries(pattern)) {
    if (field === '$or') {
      const branches = node as readonly EventPattern[];
      if (!branches.some((branch) => matchObject(branch, value))) return false;
      continue;
    }
    const present = isPlainObject(value) && Object.hasOwn(value, field);
    const fieldValue = present ? (value as Record<string, unknown>)[field] : undefined;
    if (Array.isArray(node)) {
      if (!matchLeaf(node as readonly Matcher[], present, fieldValue)) return false;
    } else if (!present || !matchObject(node as EventPattern, fieldValue)) {
      return false;
    }
  }
  return true;
}

function matchLeaf(matchers: readonly Matcher[], present: boolean, value: unknown): boolean {
  const candidates: unknown[] = Array.isArray(value) ? value : [value];
  return matchers.some((matcher) => {
    if (isPlainObject(matcher) && 'exists' in matcher) {
      const exists = present && !(Array.isArray(value) && value.length === 0);
      return matcher.exists === exists;
    }
    if (!present) return false;
    return candidates.some((candidate) => matchValue(matcher, candidate));
  });
}

function matchValue(matcher: Matcher, value: unknown): boolean {
  if (!isPlainObject(matcher)) return matcher === value;
  const [operator] = Object.keys(matcher);
  const argument = operator === undefined ? undefined : matcher[operator];
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && stringTest(argument, value, (v, a) => v.startsWith(a));
    case 'suffix':
      return typeof value === 'string' && stringTest(argument, value, (v, a) => v.endsWith(a));
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(argument).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcardRegExp(String(argument)).test(value);
    case 'numeric':
      return typeof value === 'number' && numericTest(argument as readonly (string | number)[], value);
    case 'anything-but':
      return anythingBut(argument, value);
    default:
      return false;
  }
}

function stringTest(
  argument: unknown,
  value: string,
  test: (value: string, argument: string) => boolean,
): boolean {
  if (typeof argument === 'string') return test(value, argument);
  const ignoreCase = (argument as Record<string, string>)['equals-ignore-case'] ?? '';
  return test(value.toLowerCase(), ignoreCase.toLowerCase());
}

function numericTest(comparisons: readonly (string | number)[], value: number): boolean {
  for (let i = 0; i < comparisons.length; i += 2) {
    const bound = comparisons[i + 1] as number;
    const ok = {
      '<': value < bound,
      '<=': value <= bound,
      '=': value === bound,
      '>': value > bound,
      '>=': value >= bound,
    }[comparisons[i] as '<' | '<=' | '=' | '>' | '>='];
    if (!ok) return false;
  }
  return true;
}

function anythingBut(argument: unknown, value: unknown): boolean {
  if (isPlainObject(argument)) {
    if (typeof value !== 'string') return false;
    const [operator] = Object.keys(argument);
    return !matchValue({ [operator ?? '']: argument[operator ?? ''] }, value);
  }
  const excluded = Array.isArray(argument) ? argument : [argument];
  return !excluded.includes(value);
}

function wildcardRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`, 's');
}
