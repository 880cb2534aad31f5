// Lambda for the RecheckApproval: the stored votes recounted before anything is imported; the step is src/core/steps/recheck-approval.ts.
import type { Context } from 'aws-lambda';
import { recheckApprovalStep } from '../src/core/steps/recheck-approval.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = recheckApprovalStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps())(event, context);
