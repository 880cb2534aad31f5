// Lambda for the sweep's SummarizeSweep state; the step is src/core/steps/summarize-sweep.ts.
import { createLogger } from '../src/core/shared/logger.ts';
import type { StepLoggerDeps } from '../src/core/step-kernel/define-step.ts';
import { summarizeSweepStep } from '../src/core/steps/summarize-sweep.ts';
import { toLambda } from '../src/lambda/to-lambda.ts';

const lambda = toLambda(summarizeSweepStep, () => ({ logger: createLogger() }));

export const handler = lambda.handler;
/** Its only dep is optional: without a logger it logs nothing. */
export const createHandler = (deps: StepLoggerDeps = {}) => lambda.createHandler(deps);
