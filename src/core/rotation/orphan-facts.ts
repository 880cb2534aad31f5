// The facts ./orphans.ts decides on, read from the approvals store and Step Functions: a request
// the store does not know, or an execution Step Functions does not know, reads as undefined; any
// other failure propagates (no facts, no destruction).
import { DescribeExecutionCommand, ExecutionDoesNotExist, type SFNClient } from '@aws-sdk/client-sfn';
import { ApprovalRequestNotFoundError } from '../approvals/errors.ts';
import type { ApprovalsStore } from '../approvals/store.ts';
import type { RotationKeyFacts } from './orphans.ts';

export function rotationKeyFacts(
  approvals: Pick<ApprovalsStore, 'get'>,
  sfn: Pick<SFNClient, 'send'>,
): RotationKeyFacts {
  return {
    async request(requestId) {
      try {
        const stored = await approvals.get(requestId);
        return { keyArn: stored.keyArn, status: stored.status, executionArn: stored.executionArn };
      } catch (error) {
        if (error instanceof ApprovalRequestNotFoundError) return undefined;
        throw error;
      }
    },
    executionStatus: executionStatusOf(sfn),
  };
}

/** An execution's status, or undefined when Step Functions does not know it (the facts' rule). */
export function executionStatusOf(sfn: Pick<SFNClient, 'send'>): RotationKeyFacts['executionStatus'] {
  return async (executionArn) => {
    try {
      return (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status;
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return undefined;
      throw error;
    }
  };
}
