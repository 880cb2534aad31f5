// Lambda behind the approvals API's function URL (AuthType AWS_IAM): AWS has verified the caller's
// SigV4 signature before this runs, and the identity comes from the IAM request context only. The
// only role that may start the rotation state machine and send its task results.
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { kmsKeyDirectory, sfnRotationStarter, sfnTaskResults } from '../src/core/approvals/adapters.ts';
import { createApprovalsApi, functionUrlHandler } from '../src/core/approvals/http.ts';
import { approvalKeysWith } from '../src/core/approvals/seals.ts';
import { ApprovalsStore } from '../src/core/approvals/store.ts';
import { createDynamoDbDocumentClient, createKmsClient, createSfnClient } from '../src/core/aws/clients.ts';
import { systemClock } from '../src/core/clock.ts';
import { createLogger } from '../src/core/shared/logger.ts';
import { kmsSeal } from './commons/approval-key-seal.ts';
import { kmsUnlock } from './commons/approval-key-unlock.ts';
import { lambdaApprovalTeam, sealKeyId, tokenKeyId } from './commons/approval-keys.ts';
import { lambdaBindingReader } from './commons/binding-reader.ts';
import { requireEnv } from './commons/env.ts';

let mounted: ReturnType<typeof functionUrlHandler> | undefined;

function api(): ReturnType<typeof functionUrlHandler> {
  if (mounted) return mounted;
  const logger = createLogger();
  const sfn = createSfnClient();
  const kms = createKmsClient();
  mounted = functionUrlHandler(
    createApprovalsApi(
      {
        store: new ApprovalsStore({
          client: createDynamoDbDocumentClient(),
          tableName: requireEnv('BYOK_APPROVALS_TABLE'),
          clock: systemClock,
          keys: approvalKeysWith('the approvals API', {
            seal: kmsSeal(kms, sealKeyId()),
            unlock: kmsUnlock(kms, tokenKeyId()),
          }),
        }),
        clock: systemClock,
        team: lambdaApprovalTeam(),
        keys: kmsKeyDirectory(kms),
        rotations: sfnRotationStarter(sfn, requireEnv('BYOK_ROTATION_STATE_MACHINE_ARN')),
        taskResults: sfnTaskResults(sfn),
        bindings: lambdaBindingReader(),
      },
      { onError: (error) => logger.error('approvals API failed', { error }) },
    ),
  );
  return mounted;
}

export const handler = (event: LambdaFunctionURLEvent) => api()(event);
