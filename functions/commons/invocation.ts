// What every handler does at its edge: parse the state input with its schema (a mismatch is a
// named error, never a stack) and log with the execution and key ids for this invocation only.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { describeIssues } from '../../src/import/contracts.ts';
import { InvalidImportInputError } from '../../src/import/errors.ts';
import type { StepLogger } from '../../src/import/logger.ts';

export function parseStateInput<S extends z.ZodType>(schema: S, event: unknown): z.infer<S> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) throw new InvalidImportInputError(describeIssues(parsed.error));
  return parsed.data;
}

/**
 * A logger that adds this invocation's ids to every line. It passes them per call rather than
 * appending keys to a shared logger, so concurrent local runs (a Map of imports) never mix ids.
 */
export function invocationLogger(
  logger: Logger,
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
export async function logFailures<T>(logger: StepLogger, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    logger.error('step failed', { errorName: name, errorMessage: message });
    throw error;
  }
}
