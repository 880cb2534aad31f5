// The approvals core's ports on the real AWS SDK clients: the key directory on KMS (DescribeKey +
// ListResourceTags), the rotation starter and the task results on Step Functions. The same
// adapters serve the deployed API (clients from the Lambda role) and local runs (clients pointed
// at the local stack).
import { DescribeKeyCommand, type KeyMetadata, type KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import {
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { listResourceTags } from '../aws/paginate-kms.ts';
import { KeyNotEligibleError } from './errors.ts';
import type { KeyDirectoryPort, RotationStarterPort, TaskResultPort } from './service.ts';

export function kmsKeyDirectory(kms: KMSClient): KeyDirectoryPort {
  return {
    async describeForRotation(keyId) {
      let metadata: KeyMetadata | undefined;
      try {
        metadata = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata;
      } catch (error) {
        if (error instanceof NotFoundException) {
          throw new KeyNotEligibleError(keyId, 'it does not exist in this account and Region', {
            cause: error,
          });
        }
        // Deployed, the API's role may describe only keys tagged byok:managed=true: any other key
        // answers AccessDenied, which is the same refusal, not a failure of the API.
        if ((error as { name?: string }).name === 'AccessDeniedException') {
          throw new KeyNotEligibleError(keyId, 'byok does not manage it (AccessDeniedException)', {
            cause: error,
          });
        }
        throw error;
      }
      const keyArn = metadata?.Arn;
      if (!keyArn) throw new KeyNotEligibleError(keyId, 'DescribeKey returned no ARN');
      const multiRegion = metadata?.MultiRegion ? metadata.MultiRegionConfiguration : undefined;
      const primaryArn =
        multiRegion?.MultiRegionKeyType === 'REPLICA' ? multiRegion.PrimaryKey?.Arn : undefined;
      return { keyArn, primaryArn, tags: await listResourceTags(kms, keyArn) };
    },
  };
}

/** Starts the rotation state machine with `{requestId, keyId: <key ARN>}`, named after the request. */
export function sfnRotationStarter(sfn: SFNClient, stateMachineArn: string): RotationStarterPort {
  return {
    async startRotation({ requestId, keyArn }) {
      const started = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn,
          name: requestId,
          input: JSON.stringify({ requestId, keyId: keyArn }),
        }),
      );
      if (!started.executionArn) throw new Error('StartExecution returned no executionArn');
      return { executionArn: started.executionArn };
    },
  };
}

export function sfnTaskResults(sfn: SFNClient): TaskResultPort {
  return {
    sendTaskSuccess: (input) => sfn.send(new SendTaskSuccessCommand(input)),
    sendTaskFailure: (input) => sfn.send(new SendTaskFailureCommand(input)),
  };
}
