// `byok approvals`: the open rotation requests (id, key, requester, reason, the new material's check
// value, votes so far, deadline). This module only declares the command; action.ts does the work.
import { type Command, Option } from 'commander';
import { ENDPOINT_HELP } from '../../approvals-options.ts';
import { DEFAULT_LOCAL_ENDPOINT, parseEndpointUrl } from '../../options.ts';
import type { ApprovalsListOptions } from './options.ts';

export function registerApprovalsCommand(program: Command): void {
  program
    .command('approvals')
    .summary('List the open rotation requests waiting for votes.')
    .description(
      'Lists the rotation requests still open: request id, key, requester, reason, the check value of the new ' +
        'material (compare it with the HSM before you approve), votes so far and the deadline.',
    )
    .addOption(new Option('--endpoint <url>', ENDPOINT_HELP).argParser(parseEndpointUrl))
    .option('--region <region>', 'AWS Region (default: AWS_REGION)')
    .option('--json', 'print the requests as a JSON array')
    .addHelpText('after', `\nExample:\n  byok approvals --endpoint ${DEFAULT_LOCAL_ENDPOINT}`)
    .action(async (options: ApprovalsListOptions) => {
      const { runApprovals } = await import('./action.ts');
      await runApprovals(options);
    });
}
