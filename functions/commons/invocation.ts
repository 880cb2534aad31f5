// What every handler does at its edge: parse the state input with its schema (a mismatch is a
// named error, never a stack) and log with the execution and key ids for this invocation only.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { describeIssues } from '../../src/import/contracts.ts';
import { InvalidImportInputError } from '../../src/import/errors.ts';

export function parseStateInput<S extends z.ZodType>(schema: S, event: unknown): z.infer<S> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) throw new InvalidImportInputError(describeIssues(parsed.error));
  return parsed.data;
}

/** A child logger carrying this invocation's ids, so concurrent local runs never mix keys. */
export function invocationLogger(
  logger: Logger,
  keys: { executionId?: string | undefined; keyId?: string | undefined; step: string },
  context?: Context,
): Logger {
  const child = logger.createChild();
  if (context) child.addContext(context);
  child.appendKeys(Object.fromEntries(Object.entries(keys).filter(([, value]) => value !== undefined)));
  return child;
}

/** Logs a failure by name (the message is written for users and carries no material), then rethrows. */
export async function logFailures<T>(logger: Logger, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    logger.error('step failed', { errorName: name, errorMessage: message });
    throw error;
  }
}
