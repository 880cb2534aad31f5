// The AWS service integrations the runner executes, keyed by the Task's resource ARN: the one place
// they are declared. Add one by writing it in its own module and listing it here; a Task whose
// resource is neither a function nor listed here fails with UnsupportedTaskResourceError.
import { PUT_EVENTS, putEvents } from './put-events.ts';
import { START_EXECUTION_SYNC_2, startExecutionSync } from './start-execution-sync.ts';
import { STS_GET_CALLER_IDENTITY, stsGetCallerIdentity } from './sts-integration.ts';
import { LAMBDA_INVOKE, lambdaInvoke } from './tasks/lambda-invoke.ts';
import type { Integration } from './types.ts';

export const INTEGRATIONS: ReadonlyMap<string, Integration> = new Map([
  [PUT_EVENTS, putEvents],
  [START_EXECUTION_SYNC_2, startExecutionSync],
  [LAMBDA_INVOKE, lambdaInvoke],
  [STS_GET_CALLER_IDENTITY, stsGetCallerIdentity],
]);
