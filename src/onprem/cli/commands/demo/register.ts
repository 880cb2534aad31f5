// `byok demo`: the whole job on the embedded stack, from a fresh clone. This module only declares
// the command; action.ts does the work and is loaded when it runs.
import type { Command } from 'commander';
import { DEFAULT_BYOK_HOME } from '../../../../core/shared/paths.ts';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .summary('Import a key of each family on the embedded local stack and show the proofs.')
    .description(
      'Run the whole import on the embedded local stack, in this process and with no AWS account: create ' +
        'the local token if missing, an HSM key and an EXTERNAL KMS key of each family (symmetric, HMAC, RSA, ' +
        'ECC), run the import workflow for each with only the key id, print each proof and a summary. ' +
        'Exits 1 if any import fails.',
    )
    .addHelpText(
      'after',
      `\nThe token and its PIN file live in $BYOK_HOME/hsm (BYOK_HOME defaults to ./${DEFAULT_BYOK_HOME}) and are reused by\n` +
        'the next run; the local stack lives only as long as the demo. Examples:\n' +
        '  byok demo                      # what npm run demo runs\n' +
        '  BYOK_HOME=/tmp/byok byok demo  # a throwaway token',
    )
    .action(async () => {
      const { runDemoCommand } = await import('./action.ts');
      await runDemoCommand();
    });
}
