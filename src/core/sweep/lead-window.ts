// The sweep's lead window in one place: how many days before ValidTo a key's material is reimported.
// The sweep's input (contracts.ts) defaults to it, and so do `byok status`, `byok simulate`,
// `byok fleet status --targets`, the simulations and the console's Keys page.

/** Reimport when ValidTo is at most this many days away, unless told otherwise. */
export const DEFAULT_LEAD_WINDOW_DAYS = 14;
/** The window a sweep or a command accepts, in whole days. */
export const MIN_LEAD_WINDOW_DAYS = 1;
export const MAX_LEAD_WINDOW_DAYS = 180;
