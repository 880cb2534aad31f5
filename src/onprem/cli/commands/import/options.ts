// `byok import`'s options as commander parses them, and the execution input they make. Cheap to
// load (commander and dependency-free modules), so `--help` and a mistyped value answer before
// action.ts is imported. The import options (--hsm-key, --valid-for, ...) are shared with `byok
// start` (../../import-request-options.ts); the AWS options and --output with every AWS-facing
// command (../../aws-options.ts).
import type { ImportExecutionInput } from '../../../../core/import/contracts.ts';
import type { AwsCommandOptions, OutputFormat } from '../../aws-options.ts';
import { type ImportRequestOptions, importInputOf } from '../../import-request-options.ts';

export { parseValidFor } from '../../import-request-options.ts';

export interface ImportOptions extends AwsCommandOptions, ImportRequestOptions {
  keyId: string;
  /** table (default): the proof; json: the execution result. */
  output?: OutputFormat | undefined;
}

export function executionInputFrom(options: ImportOptions): ImportExecutionInput {
  return importInputOf(options.keyId, options);
}
