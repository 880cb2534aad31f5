// `byok key create`: the EXTERNAL KMS key (and its replicas) with the tags byok needs, the
// binding an administrator records for it, then the first import. This module only declares the
// command; action.ts does the work and is loaded when it runs.
import type { Command } from 'commander';
import { addAwsOptions } from '../../aws-options.ts';
import { DEFAULT_LOCAL_ENDPOINT } from '../../options.ts';
import { parseHsmKeyOption, parseTableName } from '../bindings/options.ts';
import {
  KEY_SPECS,
  type KeyCreateOptions,
  parseAlias,
  parseApprovalsRequired,
  parseDescription,
  parseKeySpec,
  parseKeyUsage,
  parseReplicaRegions,
  parseValidForDays,
} from './options.ts';

export function registerKeyCommands(program: Command): void {
  const key = program
    .command('key')
    .summary('Create KMS keys for byok to manage.')
    .description('Create the EXTERNAL KMS keys byok imports into, tagged, bound and imported in one step.');

  const create = key
    .command('create')
    .summary('Create an EXTERNAL KMS key for an HSM key, tag it, bind it and import its material.')
    .description(
      'Checks first (the HSM key exists and fits the key spec, it is not bound to another KMS key, the alias ' +
        'is free), then creates the KMS key with origin EXTERNAL and the tags byok reads (byok:managed=true, ' +
        'byok:hsm-key-label, and byok:valid-for-days / byok:approvals-required when given), its alias and ' +
        'replicas, records the binding of the HSM key to it (as byok bindings add does: an administrator ' +
        'runs this command) and imports the material, unless --no-import. Against AWS, or the local stack ' +
        'with --endpoint.',
    )
    .requiredOption(
      '--hsm-key <label>',
      'the HSM key whose material the KMS key will hold',
      parseHsmKeyOption,
    )
    .requiredOption('--key-spec <spec>', `the KMS key spec: ${KEY_SPECS.join(', ')}`, parseKeySpec)
    .option(
      '--key-usage <usage>',
      'default: ENCRYPT_DECRYPT (symmetric), GENERATE_VERIFY_MAC (HMAC), SIGN_VERIFY (RSA, ECC)',
      parseKeyUsage,
    )
    .option('--description <text>', 'the KMS key description', parseDescription)
    .option('--alias <alias>', 'an alias for the key (alias/NAME)', parseAlias)
    .option('--multi-region', 'create a multi-Region primary key')
    .option(
      '--replica-regions <regions>',
      'comma-separated Regions to replicate the key to (implies --multi-region); the import fills them too',
      parseReplicaRegions,
    )
    .option(
      '--approvals-required <m>',
      'approvers a rotation of the key needs (1..5), recorded as the tag byok:approvals-required',
      parseApprovalsRequired,
    )
    .option(
      '--valid-for <days>',
      'validity of each (re)import, recorded as byok:valid-for-days (e.g. 90d)',
      parseValidForDays,
    )
    .option('--no-import', 'create, tag and bind only; import later with byok import --key-id ARN');
  addAwsOptions(create)
    .option(
      '--bindings-table <name>',
      'on AWS: the bindings table (default: BYOK_BINDINGS_TABLE, else the one table named *-bindings)',
      parseTableName,
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        `  byok key create --hsm-key payments --key-spec SYMMETRIC_DEFAULT --alias alias/payments --endpoint ${DEFAULT_LOCAL_ENDPOINT}\n` +
        '  byok key create --hsm-key signing --key-spec ECC_NIST_P256 --region eu-west-1 --valid-for 90d\n' +
        '  byok key create --hsm-key ledger --key-spec SYMMETRIC_DEFAULT --region eu-west-1 --replica-regions eu-central-1,us-east-1 --approvals-required 2',
    )
    .action(async (options: KeyCreateOptions) => {
      const { runKeyCreate } = await import('./action.ts');
      await runKeyCreate(options);
    });
}
