// One way to define a step handler, used by every functions/*.ts and by the runner's registry:
// parse the state input with its zod schema (a mismatch is a named error, never a stack), log with
// this invocation's ids only, log a failure by name, and do the work. `createHandler(deps)` keeps
// handlers testable with the deps passed in; the Lambda entry points build their deps once.
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { InvalidStepInputError } from './errors.ts';
import { describeIssues } from './issues.ts';
import { type StepLogger, silentLogger } from './logger.ts';

/** What every step may log with; steps whose deps make it optional log nothing without it. */
export interface StepLoggerDeps {
  logger?: StepLogger | undefined;
}

export type StepHandler<Output> = (event: unknown, context?: Context) => Promise<Output>;

/** A step function: its ASL state name, and its handler built from the deps it needs. */
export interface StepFunction<Deps, Output> {
  step: string;
  createHandler(deps: Deps): StepHandler<Output>;
}

export interface StepDefinition<Deps extends StepLoggerDeps, Input, Output> {
  /** The ASL state name (`WrapKeyMaterial`), the `step` field of every log line. */
  step: string;
  /** The state input's schema. */
  input: z.ZodType<Input>;
  /** The named error a mismatch throws (default InvalidStepInputError, which names the step). */
  invalidInput?: ((issues: string[]) => Error) | undefined;
  /** Ids this invocation logs with. */
  logKeys?: ((input: Input) => { executionId?: string | undefined; keyId?: string | undefined }) | undefined;
  /** The work: the core function, with the invocation's logger. */
  run(input: Input, deps: Deps, logger: StepLogger): Promise<Output>;
}

export function defineStep<Deps extends StepLoggerDeps, Input, Output>(
  definition: StepDefinition<Deps, Input, Output>,
): StepFunction<Deps, Output> {
  const invalidInput =
    definition.invalidInput ?? ((issues) => new InvalidStepInputError(definition.step, issues));
  return {
    step: definition.step,
    createHandler(deps) {
      return async (event, context) => {
        const parsed = definition.input.safeParse(event);
        if (!parsed.success) throw invalidInput(describeIssues(parsed.error));
        const input = parsed.data;
        const logger = invocationLogger(
          deps.logger ?? silentLogger,
          { step: definition.step, ...definition.logKeys?.(input) },
          context,
        );
        logger.debug('state input received', { fields: Object.keys(input as object) });
        return logFailures(logger, () => definition.run(input, deps, logger));
      };
    },
  };
}

/**
 * A logger that adds this invocation's ids to every line. It passes them per call rather than
 * appending keys to a shared logger, so concurrent local runs (a Map of imports) never mix ids.
 */
function invocationLogger(
  logger: StepLogger,
  keys: { executionId?: string | undefined; keyId?: string | undefined; step: string },
  context?: Context,
): StepLogger {
  const attributes: Record<string, unknown> = Object.fromEntries(
    Object.entries({
      ...keys,
      function_name: context?.functionName,
      function_request_id: context?.awsRequestId,
    }).filter(([, value]) => value !== undefined),
  );
  return {
    debug: (message, ...extra) => logger.debug(message, attributes, ...extra),
    info: (message, ...extra) => logger.info(message, attributes, ...extra),
    warn: (message, ...extra) => logger.warn(message, attributes, ...extra),
    error: (message, ...extra) => logger.error(message, attributes, ...extra),
  };
}

/** Logs a failure by name (the message is written for users and carries no material), then rethrows. */
async function logFailures<T>(logger: StepLogger, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    logger.error('step failed', { errorName: name, errorMessage: message });
    throw error;
  }
}
