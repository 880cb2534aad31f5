// `byok simulate`'s options as commander parses them; register.ts checks each with the shared
// parseWholeNumber of ../../options.ts.

export interface SimulateOptions {
  days: number;
  keys: number;
  leadWindowDays: number;
  quota: number;
  json?: boolean;
}
