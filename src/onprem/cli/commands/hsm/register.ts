// `byok hsm ...`: create a local software token, create or import keys in it, list them. This
// module only declares the commands; action.ts does the work and is loaded when one runs.
import { type Command, Option } from 'commander';
import { HSM_KEY_TYPES } from '../../../../core/hsm/port.ts';
import { DEFAULT_BYOK_HOME } from '../../../../core/shared/paths.ts';
import { addOutputOptions } from '../../aws-options.ts';
import { parseLabelOption, parseNonBlankOption } from '../../options.ts';
import type { HsmCreateKeyOptions, HsmImportKeyOptions, HsmInitOptions, HsmListOptions } from './options.ts';

export function registerHsmCommands(program: Command): void {
  const hsm = program
    .command('hsm')
    .description(
      'Manage the PKCS#11 token that holds the master copy of your key material (honours BYOK_HOME).',
    );

  hsm
    .command('init')
    .description('Create a local software token under $BYOK_HOME/hsm (does nothing if one exists).')
    .addOption(
      new Option('--token <kind>', 'nss wraps with SHA-256; softhsm only with SHA-1')
        .choices(['nss', 'softhsm'])
        .default('nss'),
    )
    .addHelpText(
      'after',
      `\nBYOK_HOME defaults to ./${DEFAULT_BYOK_HOME}; the token, its configuration and a PIN file (mode 0600) go in\n` +
        '$BYOK_HOME/hsm. Examples:\n' +
        '  byok hsm init\n' +
        '  BYOK_HOME=~/.byok byok hsm init --token softhsm',
    )
    .action(async (options: HsmInitOptions) => {
      const { runHsmInit } = await import('./action.ts');
      await runHsmInit(options);
    });

  hsm
    .command('create-key')
    .description('Generate a key inside the token: sensitive, extractable only by wrapping.')
    .requiredOption('--label <label>', 'label of the new key (unique in the token)', parseLabelOption)
    .addOption(new Option('--type <type>', 'key type').choices(HSM_KEY_TYPES).makeOptionMandatory())
    .addHelpText('after', '\nExample:\n  byok hsm create-key --label payments --type AES_256')
    .action(async (options: HsmCreateKeyOptions) => {
      const { runHsmCreateKey } = await import('./action.ts');
      await runHsmCreateKey(options);
    });

  hsm
    .command('import-key')
    .description('Load existing key material into the token as a sensitive key (migration).')
    .requiredOption('--label <label>', 'label of the new key (unique in the token)', parseLabelOption)
    .addOption(new Option('--type <type>', 'key type').choices(HSM_KEY_TYPES).makeOptionMandatory())
    .requiredOption(
      '--file <file>',
      'raw bytes for AES/HMAC; PKCS#8 DER or PEM for RSA/EC (a regular file, not a link, mode 0600: refused if group or others can access it)',
      parseNonBlankOption,
    )
    .action(async (options: HsmImportKeyOptions) => {
      const { runHsmImportKey } = await import('./action.ts');
      await runHsmImportKey(options);
    });

  const list = hsm
    .command('list')
    .description('List the keys in the token: labels, types, attributes, check values; never values.')
    .option('--capabilities', 'also run the self-test and show which wrapping algorithms each key can use')
    .option(
      '--endpoint <url>',
      'the local stack (or the approvals API URL): rotation keys whose request was abandoned are marked ORPHAN',
      parseNonBlankOption,
    )
    .option('--region <region>', 'the Region of the rotation requests (with --endpoint)', parseNonBlankOption)
    .option('--profile <name>', 'the AWS profile that signs the approvals API calls', parseNonBlankOption)
    .addHelpText(
      'after',
      '\nA rotation key (CKA_ID byok:AES_256:rotation-<request id>) is listed with its request. With\n' +
        '--endpoint it is marked ORPHAN when its request is unknown, or its rotation ended without\n' +
        'succeeding and without retiring it (e.g. an execution stopped mid-rotation); the next rotation\n' +
        'run on that stack destroys it once KMS proves no material came from it (docs/rotation.md).\n' +
        '  byok hsm list --endpoint http://127.0.0.1:4566\n',
    );
  addOutputOptions(list, 'json: the keys as an array');
  list.action(async (options: HsmListOptions) => {
    const { runHsmList } = await import('./action.ts');
    await runHsmList(options);
  });
}
