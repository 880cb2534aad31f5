// `byok bindings add|list|remove`: which HSM key may be imported into which KMS key, as an
// administrator records it (docs/security.md "Bindings"). This module only declares the commands;
// action.ts does the work and is loaded when one runs.
import type { Command } from 'commander';
import { addAwsOptions, addOutputOptions } from '../../aws-options.ts';
import { DEFAULT_LOCAL_ENDPOINT } from '../../options.ts';
import {
  type BindingsAddOptions,
  type BindingsListOptions,
  type BindingsRemoveOptions,
  parseHsmKeyOption,
  parseKeyIdOption,
  parseTableName,
} from './options.ts';

function storeOptions(command: Command): Command {
  return addAwsOptions(command, {
    endpointHelp: `the local stack (e.g. ${DEFAULT_LOCAL_ENDPOINT}), whose state dir keeps the bindings; without it, AWS`,
  }).option(
    '--bindings-table <name>',
    'on AWS: the bindings table (default: BYOK_BINDINGS_TABLE, else the one table named *-bindings; the stack output BindingsTableName)',
    parseTableName,
  );
}

export function registerBindingsCommands(program: Command): void {
  const bindings = program
    .command('bindings')
    .summary('Record which HSM key may be imported into which KMS key (administrators).')
    .description(
      "byok imports an HSM key's material into a KMS key only when an administrator bound the two. The " +
        "KMS key's tags (byok:hsm-key-label) only choose among bound pairings: anyone allowed to tag a key " +
        'could otherwise make byok import the material of any HSM key into a key they control. Deployed, ' +
        'bindings live in a DynamoDB table only the administrators named at deploy time may write ' +
        "(byok's own roles only read it); locally, in the local stack's state dir. One HSM key is bound to " +
        'one KMS key; a multi-Region key is bound through its primary, and the binding covers the HSM keys ' +
        'the rotation workflow derives for that key (<label>-r<n>-<request>).',
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        `  byok bindings add --hsm-key payments --key-id arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n` +
        `  byok bindings list --endpoint ${DEFAULT_LOCAL_ENDPOINT}\n` +
        `  byok bindings remove --hsm-key payments --key-id arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    );

  addOutputOptions(
    storeOptions(
      bindings
        .command('add')
        .summary('Bind an HSM key to a KMS key, so byok may import it there.')
        .description(
          'Records that the material of the HSM key LABEL may be imported into the KMS key. The key is named by ' +
            'id, ARN or alias and recorded as its ARN (a replica as its primary). Refused when the HSM key is ' +
            'bound to another KMS key already (HsmKeyAlreadyBoundError); adding a binding that exists changes nothing.',
        )
        .requiredOption('--hsm-key <label>', 'the HSM key label', parseHsmKeyOption)
        .requiredOption('--key-id <key>', 'the KMS key: id, ARN or alias', parseKeyIdOption),
    ),
    'the binding as JSON',
  )
    .addHelpText(
      'after',
      "\nThe bindings table is in --region (or the environment's Region); the KMS key in the Region its ARN names.\n" +
        '\nExamples:\n' +
        '  byok bindings add --hsm-key payments --key-id arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n' +
        `  byok bindings add --hsm-key payments --key-id 1234abcd-12ab-34cd-56ef-1234567890ab --endpoint ${DEFAULT_LOCAL_ENDPOINT}`,
    )
    .action(async (options: BindingsAddOptions) => {
      const { runBindingsAdd } = await import('./action.ts');
      await runBindingsAdd(options);
    });

  addOutputOptions(
    storeOptions(
      bindings
        .command('list')
        .summary('List the recorded bindings.')
        .description('Every recorded binding: HSM key label, KMS key ARN, when and by whom it was recorded.'),
    ),
    '{"bindings":[...]}',
  )
    .addHelpText(
      'after',
      `\nExamples:\n  byok bindings list --endpoint ${DEFAULT_LOCAL_ENDPOINT}\n  byok bindings list --region eu-west-1 --json`,
    )
    .action(async (options: BindingsListOptions) => {
      const { runBindingsList } = await import('./action.ts');
      await runBindingsList(options);
    });

  addOutputOptions(
    storeOptions(
      bindings
        .command('remove')
        .summary('Remove a binding: byok no longer imports that HSM key into that KMS key.')
        .description(
          'Removes the binding of the HSM key LABEL to the KMS key. Both are named, so a mistyped key removes ' +
            'nothing (BindingNotFoundError). Imports, sweeps and the expiry rule refuse the pairing from then on.',
        )
        .requiredOption('--hsm-key <label>', 'the HSM key label', parseHsmKeyOption)
        .requiredOption(
          '--key-id <key>',
          'the KMS key it is bound to: ARN (as listed), id or alias',
          parseKeyIdOption,
        ),
    ),
    'the removed binding as JSON',
  )
    .addHelpText(
      'after',
      '\nExample:\n  byok bindings remove --hsm-key payments --key-id arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    )
    .action(async (options: BindingsRemoveOptions) => {
      const { runBindingsRemove } = await import('./action.ts');
      await runBindingsRemove(options);
    });
}
