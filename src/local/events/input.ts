// Checking EventBridge request parameters the way AWS does, with its error codes and messages:
// names, optional strings, rule state, the event bus (only `default` exists) and pagination.
import { AwsServiceError } from '../protocol.ts';
import { DEFAULT_BUS, type EventBusCore, type Rule } from './core.ts';

const NAME_PATTERN = /^[.\-_A-Za-z0-9]{1,64}$/;

export function requireName(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NAME_PATTERN.test(value)) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`,
    );
  }
  return value;
}

export function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new AwsServiceError('SerializationException', `Expected a string for ${field}.`);
  }
  return value;
}

export function parseState(value: unknown): 'ENABLED' | 'DISABLED' {
  if (value === undefined || value === null || value === 'ENABLED') return 'ENABLED';
  if (value === 'DISABLED') return 'DISABLED';
  throw new AwsServiceError(
    'ValidationException',
    `1 validation error detected: Value '${String(value)}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]`,
  );
}

export function isDefaultBus(value: unknown): boolean {
  return (
    value === DEFAULT_BUS ||
    (typeof value === 'string' && /^arn:aws[a-z-]*:events:[^:]+:\d{12}:event-bus\/default$/.test(value))
  );
}

export function checkBus(value: unknown): void {
  if (value === undefined || value === null || isDefaultBus(value)) return;
  throw new AwsServiceError('ResourceNotFoundException', `Event bus ${String(value)} does not exist.`);
}

/** The named rule on the default bus, or ResourceNotFoundException. */
export function requireRule(core: EventBusCore, name: unknown, bus: unknown): Rule {
  const ruleName = requireName(name, 'name');
  checkBus(bus);
  const rule = core.rules.get(ruleName);
  if (!rule)
    throw new AwsServiceError(
      'ResourceNotFoundException',
      `Rule ${ruleName} does not exist on EventBus default.`,
    );
  return rule;
}

export function paginate<T>(
  items: T[],
  token: unknown,
  limit: unknown,
): { page: T[]; nextToken: string | undefined } {
  const start = typeof token === 'string' && /^\d+$/.test(token) ? Number(token) : 0;
  const size = typeof limit === 'number' && limit > 0 ? Math.min(limit, 100) : 100;
  const page = items.slice(start, start + size);
  return { page, nextToken: start + size < items.length ? String(start + size) : undefined };
}
