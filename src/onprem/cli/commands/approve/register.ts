// `byok approve <request>`: votes for a rotation request as the caller (AWS credential chain). This
// module only declares the command; action.ts does the work.
import type { Command } from 'commander';
import { addApprovalsOptions } from '../../approvals-options.ts';
import { DEFAULT_LOCAL_ENDPOINT } from '../../options.ts';
import type { ApproveOptions } from './options.ts';

export function registerApproveCommand(program: Command): void {
  const command = program
    .command('approve')
    .summary('Approve a rotation request (as the identity of your AWS credentials).')
    .description(
      'Votes for a rotation request. You cannot approve your own request, and each identity votes once; the ' +
        'M-th distinct approval lets the workflow import and rotate in the new material.',
    )
    .argument('<request>', 'the request id (from byok rotate or byok approvals)')
    .requiredOption('--reason <text>', 'why (recorded with your vote)');
  addApprovalsOptions(command, 'json: the outcome and the request');
  command
    .addHelpText(
      'after',
      `\nExample:\n  AWS_ACCESS_KEY_ID=bob byok approve 3f2c… --reason "checked the KCV" --endpoint ${DEFAULT_LOCAL_ENDPOINT}`,
    )
    .action(async (request: string, options: ApproveOptions) => {
      const { runVote } = await import('./action.ts');
      await runVote(request, 'approve', options);
    });
}
