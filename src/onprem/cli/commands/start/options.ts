// `byok start`'s options as commander parses them, and their parsers. Cheap to load (commander and
// dependency-free modules), so `--help` and a mistyped value answer before action.ts is imported.
// The import options (--hsm-key, --valid-for, ...) are the ones `byok import` takes, declared in
// ../../import-request-options.ts; the AWS options (--endpoint, --region, --profile) and --output
// in ../../aws-options.ts.
import { parseWholeNumberIn } from '../../../../core/shared/parse.ts';
import type { AwsCommandOptions, OutputFormat } from '../../aws-options.ts';
import type { ImportRequestOptions } from '../../import-request-options.ts';
import { optionParser } from '../../options.ts';

/** The options as commander parses them. */
export interface StartOptions extends AwsCommandOptions, ImportRequestOptions {
  keyId: string;
  stateMachineArn?: string | undefined;
  name?: string | undefined;
  pollInterval: number;
  /** table (default): the proof, as `byok import` prints it; json: the execution and its output. */
  output?: OutputFormat | undefined;
}

/** `--poll-interval`: milliseconds, 10..60000. */
export const parsePollInterval = optionParser((text) => parseWholeNumberIn(text, 10, 60_000));
