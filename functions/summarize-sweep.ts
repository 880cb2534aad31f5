// Lambda for the sweep's SummarizeSweep state; the step is src/core/steps/summarize-sweep.ts.
import type { Context } from 'aws-lambda';
import { createLogger } from '../src/core/shared/logger.ts';
import type { StepLoggerDeps } from '../src/core/steps/define-step.ts';
import { summarizeSweepStep } from '../src/core/steps/summarize-sweep.ts';

/** Its only dep is optional: without a logger it logs nothing. */
export const createHandler = (deps: StepLoggerDeps = {}) => summarizeSweepStep.createHandler(deps);

let lambdaHandler: ReturnType<typeof createHandler> | undefined;

export const handler = (event: unknown, context: Context) => {
  lambdaHandler ??= createHandler({ logger: createLogger() });
  return lambdaHandler(event, context);
};
