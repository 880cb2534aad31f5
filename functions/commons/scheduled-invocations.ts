// What byok's own executions scheduled for this function, read from their history
// (src/lambda/scheduled-invocations.ts): the functions that import material act on nothing else.
import { createSfnClient } from '../../src/core/aws/clients.ts';
import type { ScheduledInvocations } from '../../src/core/step-kernel/scheduled-invocations.ts';
import { stepFunctionsScheduledInvocations } from '../../src/lambda/scheduled-invocations.ts';
import { requireEnv } from './env.ts';

/** serverless.yml: the ARNs of byok's state machines that invoke the function (comma-separated). */
export const SCHEDULING_STATE_MACHINES_ENV = 'BYOK_SCHEDULING_STATE_MACHINES';

let scheduled: ScheduledInvocations | undefined;

export function lambdaScheduledInvocations(env: NodeJS.ProcessEnv = process.env): ScheduledInvocations {
  scheduled ??= stepFunctionsScheduledInvocations({
    sfn: createSfnClient(),
    functionName: requireEnv('AWS_LAMBDA_FUNCTION_NAME', env),
    stateMachineArns: requireEnv(SCHEDULING_STATE_MACHINES_ENV, env)
      .split(',')
      .map((arn) => arn.trim())
      .filter((arn) => arn.length > 0),
  });
  return scheduled;
}
