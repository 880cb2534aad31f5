// `arn:aws:states:::aws-sdk:sts:getCallerIdentity`: who the task runs as. With the Task's
// Credentials it runs as that role (Step Functions assumes it, so a role that does not exist or
// does not trust the caller fails the task), which makes it the smallest check that a state machine
// can act in another account. Failures are `Sts.<Exception>`, as AWS SDK integrations name them.
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { TaskFailure } from './errors.ts';
import type { Integration } from './types.ts';

export const STS_GET_CALLER_IDENTITY = 'arn:aws:states:::aws-sdk:sts:getCallerIdentity';

/** The STS clients of a run: the run's own, or one acting as an assumed role. */
export interface TaskStsClients {
  sts(roleArn?: string): STSClient;
}

export const stsGetCallerIdentity: Integration = async (_parameters, context) => {
  const clients = context.deps.taskClients as TaskStsClients | undefined;
  if (!clients)
    throw new TaskFailure('States.Runtime', `${context.stateName}: no STS client in the run's deps`);
  try {
    const answer = await clients.sts(context.credentials?.roleArn).send(new GetCallerIdentityCommand({}));
    return { Account: answer.Account ?? '', Arn: answer.Arn ?? '', UserId: answer.UserId ?? '' };
  } catch (error) {
    if (error instanceof TaskFailure) throw error;
    const name = error instanceof Error ? error.name : 'Error';
    throw new TaskFailure(`Sts.${name}`, error instanceof Error ? error.message : String(error));
  }
};
