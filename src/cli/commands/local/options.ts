// `byok local ...`'s options as commander parses them, their parsers and defaults. Cheap to load
// (commander and dependency-free modules), so `--help` and a mistyped value answer before action.ts
// is imported.
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { WRAPPING_KEY_SPECS, type WrappingKeySpec } from '../../../import/validity-limits.ts';
import { resolveByokHome } from '../../../shared/paths.ts';
import { DEFAULT_LOCAL_ENDPOINT } from '../../options.ts';

export const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidArgumentError('a port is 0..65535');
  return port;
}

export function parseAccountId(value: string): string {
  if (!/^\d{12}$/.test(value)) throw new InvalidArgumentError('an account id is 12 digits');
  return value;
}

export function parseRegion(value: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(value)) throw new InvalidArgumentError('a Region looks like us-east-1');
  return value;
}

export function parseQuotas(value: string): 'aws-default' {
  if (value !== 'aws-default') throw new InvalidArgumentError("the only quota profile is 'aws-default'");
  return value;
}

export function parsePrewarm(value: string): WrappingKeySpec[] {
  const specs = value.split(',').map((spec) => spec.trim());
  for (const spec of specs) {
    if (!(WRAPPING_KEY_SPECS as readonly string[]).includes(spec)) {
      throw new InvalidArgumentError(`wrapping key specs are ${WRAPPING_KEY_SPECS.join(', ')}`);
    }
  }
  return specs as WrappingKeySpec[];
}

export function defaultStateDir(): string {
  return join(resolveByokHome(), 'local');
}

export function defaultEndpoint(): string {
  return process.env.BYOK_LOCAL_ENDPOINT ?? DEFAULT_LOCAL_ENDPOINT;
}

export interface UpOptions {
  port: number;
  host: string;
  hsmPlacement: 'lambda' | 'activity';
  stateDir?: string;
  memory?: boolean;
  region: string;
  accountId: string;
  quotas?: 'aws-default';
  publicBind?: boolean;
  prewarm: WrappingKeySpec[];
  console?: boolean;
}
