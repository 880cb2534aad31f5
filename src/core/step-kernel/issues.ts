// A schema mismatch as lines a person can read: the field's path and what is wrong with it. Used by
// every step, the worker's task checks and the console's request checks alike.
import type { z } from 'zod';

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(input)';
    if (issue.code === 'unrecognized_keys') return `${path}: unknown field(s) ${issue.keys.join(', ')}`;
    return `${path}: ${issue.message}`;
  });
}
