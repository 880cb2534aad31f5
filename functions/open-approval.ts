// Lambda for the AwaitApproval (lambda:invoke.waitForTaskToken): the task token into the approvals table, the notification out; the step is src/core/steps/open-approval.ts.
import { openApprovalStep } from '../src/core/steps/open-approval.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const { handler, createHandler } = toLambda(openApprovalStep, lambdaRotationDeps);
