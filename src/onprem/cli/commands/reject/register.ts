// `byok reject <request>`: rejects a rotation request as the caller (AWS credential chain); one
// rejection ends it. This module only declares the command; the vote is approve's action.
import type { Command } from 'commander';
import { addApprovalsOptions } from '../../approvals-options.ts';
import { DEFAULT_LOCAL_ENDPOINT } from '../../options.ts';
import type { RejectOptions } from './options.ts';

export function registerRejectCommand(program: Command): void {
  const command = program
    .command('reject')
    .summary('Reject a rotation request (one rejection ends it).')
    .description(
      'Votes against a rotation request as the identity of your AWS credentials. One rejection ends the ' +
        'request: the workflow deletes anything pending and destroys the new HSM key.',
    )
    .argument('<request>', 'the request id (from byok rotate or byok approvals)')
    .requiredOption('--reason <text>', 'why (recorded with your vote)');
  addApprovalsOptions(command, 'json: the outcome and the request');
  command
    .addHelpText(
      'after',
      `\nExample:\n  AWS_ACCESS_KEY_ID=carol byok reject 3f2c… --reason "not during the freeze" --endpoint ${DEFAULT_LOCAL_ENDPOINT}`,
    )
    .action(async (request: string, options: RejectOptions) => {
      const { runReject } = await import('./action.ts');
      await runReject(request, options);
    });
}
