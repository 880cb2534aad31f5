// The clock of a local stack running in another process: its offset from real time is read once
// from /_byok/clock, so ValidTo and token lifetimes are computed on the stack's virtual time.
import { type Clock, systemClock } from '../../core/clock.ts';
import { LocalEndpointUnreachableError } from './errors.ts';

export async function endpointClock(endpoint: string): Promise<Clock> {
  let response: Response;
  try {
    response = await fetch(new URL('/_byok/clock', endpoint), { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    throw new LocalEndpointUnreachableError(endpoint, { cause: error });
  }
  // Another KMS-compatible endpoint (not byok's) has no virtual clock: real time it is.
  if (!response.ok) return systemClock;
  const view = (await response.json().catch(() => ({}))) as { offsetMs?: unknown };
  const offsetMs = typeof view.offsetMs === 'number' ? view.offsetMs : 0;
  return { now: () => new Date(Date.now() + offsetMs) };
}
