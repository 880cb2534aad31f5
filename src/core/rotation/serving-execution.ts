// Which rotation execution serves an approval request: the one the approvals API started and
// recorded. Kept apart (no KMS) so that both ValidateRotation and AbandonRotation can ask.
import type { StoredRequest } from '../approvals/contracts.ts';

/**
 * Whether `executionId` is the execution the approvals API started for `request`: the one it
 * recorded (and sealed) on the request, or, in the moment before it records it, the execution
 * named after the request (execution names are unique per state machine, and the API names its
 * execution after the request). A forged StartExecution under another name serves no request.
 */
export function servesRequest(
  request: StoredRequest,
  executionId: string | undefined,
  executionSealed: boolean,
): boolean {
  if (!executionId) return false;
  if (request.executionArn !== undefined) return executionSealed && request.executionArn === executionId;
  return executionId.split(':').at(-1) === request.requestId;
}
