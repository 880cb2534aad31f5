// Lambda for the RecheckApproval: the stored votes recounted before anything is imported; the step is src/core/steps/recheck-approval.ts.
import { recheckApprovalStep } from '../src/core/steps/recheck-approval.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const { handler, createHandler } = toLambda(recheckApprovalStep, lambdaRotationDeps);
