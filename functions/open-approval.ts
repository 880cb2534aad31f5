// Lambda for the AwaitApproval (lambda:invoke.waitForTaskToken): the task token into the approvals table, the notification out; the step is src/core/steps/open-approval.ts.
import type { Context } from 'aws-lambda';
import { openApprovalStep } from '../src/core/steps/open-approval.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = openApprovalStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps())(event, context);
