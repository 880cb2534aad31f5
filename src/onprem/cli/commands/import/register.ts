// `byok import`: run the import workflow (the real ASL and handlers, in this process) for one KMS
// key, against the local stack (--endpoint) or against AWS with the default credentials chain (or
// --profile): an on-premises run next to the HSM. Prints the proof, or the result as JSON.
// This module only declares the command (options.ts parses them); action.ts does the work and is loaded when it runs.
import type { Command } from 'commander';
import { MAX_VALID_FOR_DAYS } from '../../../../core/import/validity-limits.ts';
import { DEFAULT_BYOK_HOME } from '../../../../core/shared/paths.ts';
import { addAwsOptions, addOutputOptions } from '../../aws-options.ts';
import { addImportRequestOptions } from '../../import-request-options.ts';
import { DEFAULT_LOCAL_ENDPOINT, parseNonBlankOption } from '../../options.ts';
import type { ImportOptions } from './options.ts';

export function registerImportCommand(program: Command): void {
  const command = program
    .command('import')
    .summary('Run the import workflow for one KMS key in this process and print the proof.')
    .description(
      'Import key material from the HSM into a KMS key (origin EXTERNAL) with the import workflow, and prove ' +
        'it. Runs the state machine in this process: against the local stack with --endpoint, else against ' +
        'AWS (default credentials chain, or --profile). The HSM is the one configured under $BYOK_HOME/hsm (BYOK_HOME ' +
        `defaults to ./${DEFAULT_BYOK_HOME}). Without an expiry option, the key's byok:valid-for-days tag applies, ` +
        `else ${MAX_VALID_FOR_DAYS} days. Takes the same import options as byok start.`,
    )
    .requiredOption(
      '--key-id <id>',
      'KMS key id or key ARN, not an alias (an ARN gives the Region)',
      parseNonBlankOption,
    );
  addImportRequestOptions(command);
  addAwsOptions(command);
  addOutputOptions(command, 'json: the execution result');
  command
    .addHelpText(
      'after',
      '\nExamples:\n' +
        `  byok import --endpoint ${DEFAULT_LOCAL_ENDPOINT} --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --hsm-key payments --valid-for 90d\n` +
        '  byok import --profile bank-prod --key-id arn:aws:kms:eu-west-1:111122223333:key/… --no-expiry --output json',
    )
    .action(async (options: ImportOptions) => {
      const { runImport } = await import('./action.ts');
      await runImport(options);
    });
}
