// Lambda for the sweep's SummarizeSweep state: counts what the Map did and names each failure.
// The report becomes the detail of the sweep's event. The work is in src/sweep/summarize-sweep.ts.
import type { StepLogger } from '../src/import/logger.ts';
import { createLogger } from '../src/shared/logger.ts';
import { parseWith, SummarizeSweepInputSchema, type SweepReport } from '../src/sweep/contracts.ts';
import { summarizeSweep } from '../src/sweep/summarize-sweep.ts';

export interface SummarizeSweepHandlerDeps {
  logger?: StepLogger;
}

export function createHandler(deps: SummarizeSweepHandlerDeps = {}) {
  return async (event: unknown): Promise<SweepReport> => {
    const report = summarizeSweep(parseWith(SummarizeSweepInputSchema, event));
    const log = report.failed > 0 ? deps.logger?.warn : deps.logger?.info;
    log?.call(deps.logger, 'reimport sweep finished', {
      sweepId: report.sweepId,
      due: report.due,
      succeeded: report.succeeded,
      failed: report.failed,
      failures: report.failures,
    });
    return report;
  };
}

let lambdaHandler: ((event: unknown) => Promise<SweepReport>) | undefined;

export async function handler(event: unknown): Promise<SweepReport> {
  lambdaHandler ??= createHandler({ logger: createLogger() });
  return lambdaHandler(event);
}
