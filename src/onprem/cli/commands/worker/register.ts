// `byok worker`: the HSM step of the workflow, run beside the HSM as a Step Functions activity
// worker (the stack deployed with hsmPlacement=activity, or `byok local up --hsm-placement
// activity`). Only outbound HTTPS to Step Functions and KMS; the HSM PIN never leaves this host.
// This module only declares the command (options.ts parses them); action.ts does the work.
import type { Command } from 'commander';
import { DEFAULT_BYOK_HOME } from '../../../../core/shared/paths.ts';
import { addAwsOptions } from '../../aws-options.ts';
import { DEFAULT_LOCAL_ENDPOINT } from '../../options.ts';
import {
  collectBinding,
  parseActivityArn,
  parseConcurrency,
  parseDiscoveryTimeout,
  parseHeartbeatInterval,
  type WorkerCliOptions,
} from './options.ts';

export function registerWorkerCommand(program: Command): void {
  const command = program
    .command('worker')
    .summary("Poll the workflow's wrap activity and wrap with the HSM of this host.")
    .description(
      "Run the workflow's WrapKeyMaterial step beside the HSM: long-poll the wrap activity, wrap each task's HSM key " +
        'inside the token (the HSM configured under $BYOK_HOME/hsm; BYOK_HOME defaults to ' +
        `./${DEFAULT_BYOK_HOME}), and answer. Wraps only HSM keys bound to the task's KMS key (--bind; a multi-Region ` +
        "key's binding covers its replicas), and only under a wrapping key it got from KMS itself; a rotation's HSM " +
        'key only if its journal shows it made it, destroyed only once KMS proves it was never imported. Every task ' +
        'input is bounded before it is logged; a refused task raises an alert. One JSON line per task on stdout. ' +
        'SIGTERM/SIGINT: stop polling, finish the poll in flight (at most 60 s) and the task in hand, exit 0; a ' +
        'second signal ends it at once.',
    )
    .option(
      '--activity-arn <arn>',
      'the wrap activity (default: the one named byok-wrap-key-material or byok-<stage>-wrap-key-material)',
      parseActivityArn,
    );
  addAwsOptions(command, {
    endpointHelp: 'the local stack (Step Functions, KMS, EventBridge); default: AWS',
  });
  command
    .option('--concurrency <n>', 'tasks worked on at once', parseConcurrency, 1)
    .option(
      '--bind <label=key-arn>',
      'allow wrapping HSM key <label> for this KMS key ARN only (repeatable)',
      collectBinding,
      [],
    )
    .option(
      '--bindings <file>',
      'JSON file: {"bindings": [{"hsmKeyLabel": "...", "kmsKeyArn": "arn:aws:kms:..."}]}',
    )
    .option(
      '--allow-any-key-for-development',
      'without bindings, wrap any HSM key for any KMS key a task names (development only; warns)',
    )
    .option('--name <name>', 'worker name sent with each poll (default: <host>-<pid>)')
    .option(
      '--heartbeat-interval <seconds>',
      "seconds between heartbeats of a task in hand (at most half the activity states' HeartbeatSeconds, 30 as deployed)",
      parseHeartbeatInterval,
      10,
    )
    .option(
      '--allow-sha1',
      'follow tasks that ask for SHA-1 wrapping (RSAES_OAEP_SHA_1, RSA_AES_KEY_WRAP_SHA_1); refused without it',
    )
    .option(
      '--journal <file>',
      'journal of the HSM keys this worker made for rotations (default: beside --bindings, else $BYOK_HOME/worker/byok-worker-journal.json)',
    )
    .option(
      '--discovery-timeout <seconds>',
      'keep retrying to find the activities this long while the endpoint cannot be reached',
      parseDiscoveryTimeout,
      300,
    )
    .addHelpText(
      'after',
      '\nExamples:\n' +
        `  byok worker --endpoint ${DEFAULT_LOCAL_ENDPOINT} --bind payments=arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab\n` +
        '  byok worker --profile hsm-worker --region eu-west-1 --bindings /etc/byok/bindings.json --concurrency 2',
    )
    .action(async (options: WorkerCliOptions) => {
      const { runWorker } = await import('./action.ts');
      await runWorker(options);
    });
}
