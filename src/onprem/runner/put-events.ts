// `arn:aws:states:::events:putEvents`, run with the real EventBridge client.
import { randomUUID } from 'node:crypto';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { TaskFailure } from './errors.ts';
import type { Integration, JsonValue } from './types.ts';

export const PUT_EVENTS = 'arn:aws:states:::events:putEvents';

interface EntryParameters {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
}

/**
 * `arn:aws:states:::events:putEvents`: PutEvents with the real EventBridge client. Detail may be an
 * object (Step Functions serialises it). An endpoint without EventBridge (UnknownOperationException)
 * is tolerated: the entries are recorded as not delivered and the state succeeds, as it would
 * against a bus with no rules. Other errors fail the Task as `EventBridge.<Exception>`.
 */
export const putEvents: Integration = async (parameters, context) => {
  const entries = readEntries(parameters);
  const time = context.deps.clock.now().toISOString();
  const record = (delivered: boolean, eventIds: (string | undefined)[]) => {
    entries.forEach((entry, index) => {
      context.publish({
        stateName: context.stateName,
        time,
        source: entry.Source ?? '',
        detailType: entry.DetailType ?? '',
        detail: parseDetail(entry.Detail),
        eventBusName: entry.EventBusName,
        delivered,
        eventId: eventIds[index],
      });
    });
  };
  const undelivered = (): JsonValue => {
    const ids = entries.map(() => randomUUID());
    record(false, ids);
    return { Entries: ids.map((EventId) => ({ EventId })), FailedEntryCount: 0 };
  };
  const client = context.deps.events;
  if (!client) return undelivered();
  try {
    const output = await client.send(new PutEventsCommand({ Entries: entries }));
    const resultEntries = (output.Entries ?? []).map((entry) => ({
      ...(entry.EventId ? { EventId: entry.EventId } : {}),
      ...(entry.ErrorCode ? { ErrorCode: entry.ErrorCode, ErrorMessage: entry.ErrorMessage ?? '' } : {}),
    }));
    record(
      true,
      resultEntries.map((entry) => entry.EventId),
    );
    return { Entries: resultEntries, FailedEntryCount: output.FailedEntryCount ?? 0 };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    if (name === 'UnknownOperationException') return undelivered();
    throw new TaskFailure(`EventBridge.${name}`, error instanceof Error ? error.message : String(error));
  }
};

function parseDetail(detail: string | undefined): unknown {
  if (detail === undefined) return undefined;
  try {
    return JSON.parse(detail);
  } catch {
    return detail;
  }
}

function readEntries(parameters: JsonValue): PutEventsRequestEntry[] {
  const raw =
    parameters !== null && typeof parameters === 'object' && !Array.isArray(parameters)
      ? parameters.Entries
      : undefined;
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new TaskFailure('States.Runtime', 'events:putEvents needs Parameters.Entries, a non-empty list');
  }
  return raw.map((value) => {
    const entry = (value ?? {}) as EntryParameters;
    return {
      ...(typeof entry.Source === 'string' ? { Source: entry.Source } : {}),
      ...(typeof entry.DetailType === 'string' ? { DetailType: entry.DetailType } : {}),
      ...(entry.Detail !== undefined
        ? { Detail: typeof entry.Detail === 'string' ? entry.Detail : JSON.stringify(entry.Detail) }
        : {}),
      ...(typeof entry.EventBusName === 'string' ? { EventBusName: entry.EventBusName } : {}),
      ...(Array.isArray(entry.Resources) ? { Resources: entry.Resources.map(String) } : {}),
    };
  });
}
