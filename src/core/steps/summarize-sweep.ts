// The sweep's SummarizeSweep step: counts what the Map did and names each failure. The report
// becomes the detail of the sweep's event. The work is in src/core/sweep/summarize-sweep.ts.

import { defineStep, type StepLoggerDeps } from '../step-kernel/define-step.ts';
import { SummarizeSweepInputSchema } from '../sweep/contracts.ts';
import { InvalidSweepInputError } from '../sweep/errors.ts';
import { summarizeSweep } from '../sweep/summarize-sweep.ts';

export const summarizeSweepStep = defineStep({
  step: 'SummarizeSweep',
  input: SummarizeSweepInputSchema,
  invalidInput: (issues) => new InvalidSweepInputError(issues),
  async run(input, _deps: StepLoggerDeps, logger) {
    const report = summarizeSweep(input);
    const log = report.failed > 0 ? logger.warn : logger.info;
    log.call(logger, 'reimport sweep finished', {
      sweepId: report.sweepId,
      due: report.due,
      succeeded: report.succeeded,
      failed: report.failed,
      failures: report.failures,
    });
    return report;
  },
});
