// `byok local ...`'s options as commander parses them, their parsers and defaults. Cheap to load
// (commander and dependency-free modules), so `--help` and a mistyped value answer before action.ts
// is imported.
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { WRAPPING_KEY_SPECS, type WrappingKeySpec } from '../../../../core/import/validity-limits.ts';
import { parseWholeNumberIn } from '../../../../core/shared/parse.ts';
import { resolveByokHome } from '../../../../core/shared/paths.ts';
import { DEFAULT_LOCAL_ENDPOINT, optionParser, parseRegionOption } from '../../options.ts';

export const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** `--port`: 0..65535 in decimal digits (`Number('')` would be 0: a random port nobody asked for). */
export const parsePort = optionParser((text) => parseWholeNumberIn(text, 0, 65535));

export function parseAccountId(value: string): string {
  if (!/^\d{12}$/.test(value)) throw new InvalidArgumentError('an account id is 12 digits');
  return value;
}

export const parseRegion = parseRegionOption;

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
  /** Absent: the state dir's, else us-east-1 (startLocalStack decides). */
  region?: string;
  /** Absent: the state dir's, else 111122223333. */
  accountId?: string;
  quotas?: 'aws-default';
  publicBind?: boolean;
  prewarm: WrappingKeySpec[];
  console?: boolean;
  /** `--approval-team FILE`: the approval team (members, their principals, M). */
  approvalTeam?: string;
  /** `--approvals-required N`: M without a team file (each access key id its own member). */
  approvalsRequired?: number;
}

/** `--approvals-required`: a whole number 1..5 (as the key tag byok:approvals-required). */
export const parseApprovalsRequired = optionParser((text) => parseWholeNumberIn(text, 1, 5));
