// `byok simulate`'s options as commander parses them; register.ts checks each with the shared
// parseWholeNumber of ../../options.ts, and --rotate-every with parseRotateEvery.
import { InvalidArgumentError } from 'commander';

export interface SimulateOptions {
  days: number;
  keys: number;
  leadWindowDays: number;
  quota: number;
  /** Days between rotations of each symmetric key. */
  rotateEvery?: number;
  /** Fleet mode: accounts (the hub's own included) and Regions; --keys is then per account and Region. */
  accounts?: number;
  regions?: number;
  /** json: the result as one JSON object on the last line. */
  output?: 'table' | 'json' | undefined;
}

/** `--rotate-every`: whole days, with or without a `d` (e.g. 90d), 1..3650. */
export function parseRotateEvery(text: string): number {
  const match = /^\s*(\d+)d?\s*$/.exec(text);
  const days = match ? Number(match[1]) : Number.NaN;
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new InvalidArgumentError('expected whole days 1..3650, e.g. 90d');
  }
  return days;
}
