// Lambda for the RecheckApproval: the stored votes recounted before anything is imported; the step is src/core/steps/recheck-approval.ts.
import type { Context } from 'aws-lambda';
import { recheckApprovalStep } from '../src/core/steps/recheck-approval.ts';
import { kmsVerify } from './commons/approval-key-verify.ts';
import { sealKeyId } from './commons/approval-keys.ts';
import { lambdaRotationDeps } from './commons/rotation-deps.ts';

export const createHandler = recheckApprovalStep.createHandler;

export const handler = (event: unknown, context: Context) =>
  createHandler(lambdaRotationDeps((kms) => ({ verify: kmsVerify(kms, sealKeyId()) })))(event, context);
