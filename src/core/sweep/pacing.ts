// Pacing the sweep within KMS's request quotas. GetParametersForImport is limited per account and
// Region (1 request per second by default), and every import starts with one. Rather than firing
// all imports and letting retries burn the quota, each due key gets a start slot spaced by the
// quota (minus headroom), and the Map item waits for its slot with a Wait state (TimestampPath).
//
// Slots are instants of real time, because request quotas are counted in real time (on AWS and on
// the local endpoint alike); the virtual clock of the local stack only decides which keys are due.

export interface PacingOptions {
  /** The quota: GetParametersForImport requests per second. */
  perSecond: number;
  /** Fraction of the quota the sweep may use, in (0, 1]. */
  share: number;
  /**
   * GetParametersForImport requests one import makes: 1, or 2 when the HSM steps run in
   * `byok worker`, which asks KMS for its own wrapping key (hsmPlacement=activity). Default 1.
   */
  requestsPerImport?: number | undefined;
}

/** Milliseconds between two import starts. */
export function slotSpacingMs({ perSecond, share, requestsPerImport = 1 }: PacingOptions): number {
  return (1000 * requestsPerImport) / (perSecond * share);
}

/** The environment's BYOK_GET_PARAMETERS_PER_IMPORT (the deployed activity placement sets 2). */
export function requestsPerImportFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(env.BYOK_GET_PARAMETERS_PER_IMPORT ?? '1');
  return Number.isInteger(value) && value >= 1 && value <= 4 ? value : 1;
}

/** The start instant of the `index`-th import of a sweep that starts at `start`. */
export function slotStart(start: Date, index: number, options: PacingOptions): Date {
  return new Date(start.getTime() + Math.ceil(index * slotSpacingMs(options)));
}
