// `byok start`'s options as commander parses them, and their parsers. Cheap to load (commander and
// dependency-free modules), so `--help` and a mistyped value answer before action.ts is imported.
import { MAX_VALID_FOR_DAYS, MIN_VALID_FOR_DAYS } from '../../../../core/import/validity-limits.ts';
import { parseWholeNumberIn } from '../../../../core/shared/parse.ts';
import { optionParser } from '../../options.ts';

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
export const parseDays = optionParser((text) => {
  const parsed = parseWholeNumberIn(text, MIN_VALID_FOR_DAYS, MAX_VALID_FOR_DAYS);
  return parsed.ok
    ? parsed
    : { ok: false, problem: `whole days, ${MIN_VALID_FOR_DAYS}..${MAX_VALID_FOR_DAYS}` };
});

/** `--poll-interval`: milliseconds, 10..60000. */
export const parsePollInterval = optionParser((text) => parseWholeNumberIn(text, 10, 60_000));
