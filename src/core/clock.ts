// The one place every component takes its time from. In Lambda it is the system clock; on the
// embedded local stack it is the endpoint's virtual clock, so simulated time is the same everywhere.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
