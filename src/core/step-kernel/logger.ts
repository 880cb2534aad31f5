// The logging surface the import steps need. Powertools' Logger satisfies it; tests pass a
// recording one. Only ids, names and public evidence are ever logged.
export interface StepLogger {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

export const silentLogger: StepLogger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
