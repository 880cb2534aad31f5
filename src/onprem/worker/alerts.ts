// The alert a refused task raises: an EventBridge event (source `byok`) that the deployed stack
// routes to the alert topic, so a task pairing an HSM key with a KMS key this worker does not bind
// (a sign that the AWS side is misconfigured or compromised) is seen by people, not only logged.
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

const WORKER_REFUSED_TASK = 'byok Worker Refused Task';

export interface RefusedTaskAlert {
  worker: string;
  executionId?: string | undefined;
  keyId: string;
  hsmKeyLabel: string;
  error: string;
  message: string;
}

export async function publishRefusedTask(events: EventBridgeClient, alert: RefusedTaskAlert): Promise<void> {
  const answer = await events.send(
    new PutEventsCommand({
      Entries: [{ Source: 'byok', DetailType: WORKER_REFUSED_TASK, Detail: JSON.stringify(alert) }],
    }),
  );
  if ((answer.FailedEntryCount ?? 0) > 0) {
    throw new Error(`EventBridge refused the alert: ${answer.Entries?.[0]?.ErrorCode ?? 'unknown error'}`);
  }
}
