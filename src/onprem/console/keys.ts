// The Keys page's data: what `byok status` shows (src/core/sweep/status.ts, the sweep's own due policy),
// with each key's materials in every Region. Only ids, states and dates: nothing here can carry
// key material.
import { collectStatus, type StatusReport } from '../../core/sweep/status.ts';
import type { ConsoleBackend } from './backend.ts';

export type KeysView = StatusReport;

export const DEFAULT_LEAD_WINDOW_DAYS = 14;

export async function readKeys(backend: ConsoleBackend, leadWindowDays: number): Promise<KeysView> {
  const [clock, lastRuns] = await Promise.all([backend.clock(), backend.lastRuns()]);
  return collectStatus({
    kms: backend.kms,
    kmsForRegion: (region) => backend.kmsForRegion(region),
    clock,
    leadWindowDays,
    lastRuns,
  });
}
