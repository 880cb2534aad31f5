// Lambda for the AwaitApproval (lambda:invoke.waitForTaskToken): the task token into the approvals table, the notification out; the step is src/core/steps/open-approval.ts.
import type { Context } from 'aws-lambda';
import { openApprovalStep } from '../src/core/steps/open-approval.ts';
import { kmsLock } from './commons/approval-key-lock.ts';
import { tokenKeyId } from './commons/approval-keys.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = openApprovalStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps((kms) => ({ lock: kmsLock(kms, tokenKeyId()) })))(event, context);
