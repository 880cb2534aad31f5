// `byok rotate`: asks the approvals API for an approval-gated rotation of a key's imported
// material. The caller (from the AWS credential chain) is the requester; the API starts the
// rotation workflow. This module only declares the command; action.ts does the work.
import type { Command } from 'commander';
import { addApprovalsOptions } from '../../approvals-options.ts';
import { DEFAULT_LOCAL_ENDPOINT, parseWholeNumber } from '../../options.ts';
import type { RotateOptions } from './options.ts';

export function registerRotateCommand(program: Command): void {
  const command = program
    .command('rotate')
    .summary('Ask for an approval-gated rotation of a key (new material made in the HSM, then approved).')
    .description(
      'Records a rotation request with the approvals API as you (the identity of your AWS credentials; ' +
        'locally whatever AWS_ACCESS_KEY_ID says) and starts the rotation workflow: new material is made ' +
        'inside the HSM and waits for M approvals by other identities (tag byok:approvals-required, default 1) ' +
        'before it is imported and rotated in. Prints the request id that `byok approve` and `byok reject` take.',
    )
    .requiredOption(
      '--key-id <id>',
      'KMS key id or ARN (symmetric, origin EXTERNAL, tagged byok:managed=true)',
    )
    .requiredOption('--reason <text>', 'why (shown to the approvers and recorded)')
    .option('--wait', 'wait until the request is approved, rejected or expires')
    .option('--poll-interval <ms>', 'how often --wait asks', parseWholeNumber(10, 60_000), 1000);
  addApprovalsOptions(command, 'json: one object with a requestId field');
  command
    .addHelpText(
      'after',
      '\nExamples:\n' +
        `  AWS_ACCESS_KEY_ID=alice byok rotate --endpoint ${DEFAULT_LOCAL_ENDPOINT} --key-id 1234abcd-… --reason "yearly"\n` +
        '  byok rotate --endpoint https://abc.lambda-url.eu-west-1.on.aws/ --key-id arn:aws:kms:… --reason "incident 42" --json',
    )
    .action(async (options: RotateOptions) => {
      const { runRotate } = await import('./action.ts');
      await runRotate(options);
    });
}
