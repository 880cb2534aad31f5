// PutEvents: each entry checked as EventBridge does (a bad entry fails alone, with its ErrorCode),
// turned into a bus event and routed to the matching rules' targets in the background.
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../protocol.ts';
import { type BusEvent, type EventBusCore, type EventsInput, eventTime } from './core.ts';
import { route, track } from './delivery.ts';
import { isDefaultBus } from './input.ts';

const MAX_ENTRIES_PER_PUT = 10;

export function putEvents(core: EventBusCore, input: EventsInput): Record<string, unknown> {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES_PER_PUT) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES_PER_PUT}`,
    );
  }
  const results = entries.map((entry: unknown) => {
    const built = eventFromEntry(core, entry);
    if ('ErrorCode' in built) return built;
    track(core, route(core, built));
    return { EventId: built.id };
  });
  return {
    FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
    Entries: results,
  };
}

function eventFromEntry(
  core: EventBusCore,
  entry: unknown,
): BusEvent | { ErrorCode: string; ErrorMessage: string } {
  const invalid = (field: string, reason: string) => ({
    ErrorCode: 'InvalidArgument',
    ErrorMessage: `Parameter ${field} is not valid. Reason: ${reason}`,
  });
  if (entry === null || typeof entry !== 'object') return invalid('Entry', 'Entry is malformed.');
  const fields = entry as Record<string, unknown>;
  if (fields.EventBusName !== undefined && !isDefaultBus(fields.EventBusName)) {
    return {
      ErrorCode: 'ResourceNotFoundException',
      ErrorMessage: `Event bus ${String(fields.EventBusName)} does not exist.`,
    };
  }
  if (typeof fields.Source !== 'string' || fields.Source === '')
    return invalid('Source', 'Source is a required argument.');
  if (typeof fields.DetailType !== 'string' || fields.DetailType === '') {
    return invalid('DetailType', 'DetailType is a required argument.');
  }
  if (typeof fields.Detail !== 'string') return invalid('Detail', 'Detail is a required argument.');
  if (fields.Source.startsWith('aws.')) {
    return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(fields.Detail);
  } catch {
    return invalid('Detail', 'Detail is malformed.');
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail))
    return invalid('Detail', 'Detail is malformed.');
  const time = typeof fields.Time === 'number' ? new Date(fields.Time * 1000) : core.clock.now();
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': fields.DetailType,
    source: fields.Source,
    account: core.accountId,
    time: eventTime(time),
    region: core.region,
    resources: Array.isArray(fields.Resources) ? fields.Resources.map(String) : [],
    detail: detail as Record<string, unknown>,
  };
}
