// `byok approvals`: the open rotation requests (id, key, requester, reason, the new material's check
// value, votes so far, deadline). This module only declares the command; action.ts does the work.
import type { Command } from 'commander';
import { addApprovalsOptions } from '../../approvals-options.ts';
import { DEFAULT_LOCAL_ENDPOINT } from '../../options.ts';
import type { ApprovalsListOptions } from './options.ts';

export function registerApprovalsCommand(program: Command): void {
  const command = program
    .command('approvals')
    .summary('List the open rotation requests waiting for votes.')
    .description(
      'Lists the rotation requests still open: request id, key, requester, reason, the check value of the new ' +
        'material (compare it with the HSM before you approve), votes so far and the deadline.',
    );
  addApprovalsOptions(command, 'json: the requests as an array');
  command
    .addHelpText('after', `\nExample:\n  byok approvals --endpoint ${DEFAULT_LOCAL_ENDPOINT}`)
    .action(async (options: ApprovalsListOptions) => {
      const { runApprovals } = await import('./action.ts');
      await runApprovals(options);
    });
}
