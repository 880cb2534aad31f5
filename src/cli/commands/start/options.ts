// `byok start`'s options as commander parses them, and their parsers. Cheap to load (commander and
// dependency-free modules), so `--help` and a mistyped value answer before action.ts is imported.
import { InvalidArgumentError } from 'commander';
import { MAX_VALID_FOR_DAYS, MIN_VALID_FOR_DAYS } from '../../../import/validity-limits.ts';

/** The options as commander parses them. */
export interface StartOptions {
  keyId: string;
  stateMachineArn?: string;
  endpoint?: string;
  region?: string;
  hsmKeyLabel?: string;
  validForDays?: number;
  validTo?: string;
  expiry?: boolean;
  wrappingAlgorithm?: string;
  wrappingKeySpec?: string;
  reason?: string;
  name?: string;
  pollInterval: number;
}

/** `--valid-for-days`: whole days within KMS's limits. */
export function parseDays(value: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days < MIN_VALID_FOR_DAYS || days > MAX_VALID_FOR_DAYS) {
    throw new InvalidArgumentError(`whole days, ${MIN_VALID_FOR_DAYS}..${MAX_VALID_FOR_DAYS}`);
  }
  return days;
}

export function parsePollInterval(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 10 || ms > 60_000)
    throw new InvalidArgumentError('milliseconds, 10..60000');
  return ms;
}
